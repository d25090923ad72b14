#pragma once
// Private: one decoder per container format. Each checks the declared size against the limits
// before it decodes pixels.
#include <opencv2/core.hpp>

#include <span>
#include <vector>

#include "ocr/image.h"

namespace ocr::detail {

Result<std::vector<Image>> decode_jpeg(std::span<const unsigned char> bytes, const DecodeLimits& limits);
Result<std::vector<Image>> decode_png(std::span<const unsigned char> bytes, const DecodeLimits& limits);
Result<std::vector<Image>> decode_tiff(std::span<const unsigned char> bytes, const DecodeLimits& limits);
Result<std::vector<Image>> decode_pdf(std::span<const unsigned char> bytes, const DecodeLimits& limits);

// kTooLarge unless width x height fits the limits; kCorrupt for a non-positive size.
Result<void> check_size(std::int64_t width, std::int64_t height, const DecodeLimits& limits);

// kBlackWhite when a 1-channel image holds only 0 and 255, else kGray / kColor by channels.
ColorMode classify(const cv::Mat& m);

}  // namespace ocr::detail
