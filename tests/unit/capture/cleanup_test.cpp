// Page cleanup and separator detection on the shared sample pages (ocr module, public API;
// OpenCV only to build the test inputs).
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

#include "ocr/cleanup.h"
#include "ocr/image.h"
#include "ocr/separator.h"

extern "C" const char* __lsan_default_options() { return "suppressions=" STATION_SOURCE_DIR "/tests/lsan.supp"; }

namespace {

namespace fs = std::filesystem;

std::vector<unsigned char> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path sample(int app, int page) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "samples/app-%03d/page-%02d.jpg", app, page);
  return fs::path(STATION_SHARED_DIR) / buf;
}

cv::Mat load_gray(const fs::path& p) { return cv::imread(p.string(), cv::IMREAD_GRAYSCALE); }

// Through the station's own decoder, as an import would see it.
ocr::Image to_image(const cv::Mat& m, const char* ext = ".png", int jpeg_quality = 90) {
  std::vector<unsigned char> bytes;
  std::vector<int> params;
  if (std::string(ext) == ".jpg") params = {cv::IMWRITE_JPEG_QUALITY, jpeg_quality};
  EXPECT_TRUE(cv::imencode(ext, m, bytes, params));
  auto pages = ocr::decode_pages(bytes);
  EXPECT_TRUE(pages.has_value());
  if (!pages || pages->empty()) return {};
  ocr::Image img = (*pages)[0];
  img.set_dpi(200, true);
  return img;
}

cv::Mat rotate_mat(const cv::Mat& m, double ccw_degrees) {
  cv::Mat out;
  const cv::Mat r = cv::getRotationMatrix2D(cv::Point2f(m.cols / 2.0f, m.rows / 2.0f), ccw_degrees, 1.0);
  cv::warpAffine(m, out, r, m.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
  return out;
}

ocr::CleanupOptions heuristic_only() {
  ocr::CleanupOptions o;
  o.orient = ocr::Orient::kOff;
  return o;
}

TEST(DeskewTest, TwoDegreesComeBackUnderAThirdOfADegree) {
  for (int app : {1, 2, 4}) {
    cv::Mat page = load_gray(sample(app, 2));
    ASSERT_FALSE(page.empty()) << sample(app, 2);
    const double base = ocr::estimate_skew(to_image(page));
    for (double tilt : {2.0, -2.0}) {
      ocr::Image tilted = to_image(rotate_mat(page, tilt), ".jpg");
      const double measured = ocr::estimate_skew(tilted);
      EXPECT_NEAR(std::abs(measured - base), 2.0, 0.3) << "app " << app << " tilt " << tilt;
      auto r = ocr::cleanup_page(tilted, heuristic_only());
      ASSERT_TRUE(r.has_value());
      EXPECT_TRUE(r->skew_corrected);
      EXPECT_LT(std::abs(ocr::estimate_skew(r->image)), 0.3) << "app " << app << " tilt " << tilt;
    }
  }
}

TEST(OrientationTest, QuarterTurnsComeBackUpright) {
  for (int app : {1, 4}) {
    ocr::Image upright = to_image(load_gray(sample(app, 2)), ".jpg");
    ASSERT_FALSE(upright.empty());
    for (int turns : {1, 2, 3}) {
      ocr::Image turned = upright.rotated(turns);
      auto r = ocr::cleanup_page(turned);
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->quarter_turns, (4 - turns) % 4) << "app " << app << " turned " << turns;
      EXPECT_GT(r->orientation_confidence, 0.4);
      EXPECT_EQ(r->image.width(), upright.width());
    }
    auto same = ocr::cleanup_page(upright);
    ASSERT_TRUE(same.has_value());
    EXPECT_EQ(same->quarter_turns, 0);
  }
}

TEST(BlankTest, WhiteWithJpegNoiseIsBlank) {
  cv::Mat page(2339, 1654, CV_8UC1, cv::Scalar(242));
  cv::Mat noise(page.size(), CV_16S);
  cv::randn(noise, 0, 6);
  cv::Mat noisy;
  page.convertTo(noisy, CV_16S);
  noisy += noise;
  noisy.convertTo(page, CV_8UC1);
  auto r = ocr::cleanup_page(to_image(page, ".jpg", 40), heuristic_only());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->blank.blank) << r->blank.components << " " << r->blank.ink_ratio;
}

TEST(BlankTest, BackWithBleedThroughAndPunchedHolesIsBlank) {
  // The back of a printed sheet: the front's text mirrored and faint, two punched holes.
  cv::Mat front = load_gray(sample(1, 2));
  cv::Mat back;
  cv::flip(front, back, 1);
  back.convertTo(back, CV_8UC1, 0.18, 255 * 0.82 - 8);  // 255 - (255 - p) * 0.18, a bit grey
  cv::circle(back, cv::Point(90, back.rows / 2 - 320), 24, cv::Scalar(30), cv::FILLED);
  cv::circle(back, cv::Point(90, back.rows / 2 + 320), 24, cv::Scalar(30), cv::FILLED);
  auto r = ocr::cleanup_page(to_image(back, ".jpg", 60), heuristic_only());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->blank.blank) << r->blank.components << " " << r->blank.ink_ratio;
}

TEST(BlankTest, TextPagesAreNotBlank) {
  for (int app = 1; app <= 3; ++app)
    for (int page = 1; page <= 5; ++page) {
      if (!fs::exists(sample(app, page))) continue;
      auto r = ocr::cleanup_page(to_image(load_gray(sample(app, page)), ".jpg"), heuristic_only());
      ASSERT_TRUE(r.has_value());
      EXPECT_FALSE(r->blank.blank) << "app " << app << " page " << page;
    }
}

TEST(BorderTest, DarkScannerFrameIsCropped) {
  cv::Mat page = load_gray(sample(2, 3));
  ASSERT_FALSE(page.empty());
  cv::Mat framed(page.rows + 140, page.cols + 100, CV_8UC1, cv::Scalar(20));
  page.copyTo(framed(cv::Rect(50, 70, page.cols, page.rows)));
  const ocr::Box b = ocr::find_content_box(to_image(framed, ".jpg"));
  EXPECT_NEAR(b.x, 50, 6);
  EXPECT_NEAR(b.y, 70, 6);
  EXPECT_NEAR(b.w, page.cols, 12);
  EXPECT_NEAR(b.h, page.rows, 12);
  // A page without a frame is kept whole.
  const ocr::Box whole = ocr::find_content_box(to_image(page));
  EXPECT_EQ(whole, (ocr::Box{0, 0, page.cols, page.rows}));
}

TEST(SeparatorTest, RenderedSheetIsFoundNormalPagesAreNot) {
  auto sheet = ocr::render_separator_sheet(200);
  ASSERT_TRUE(sheet.has_value()) << sheet.error().message;
  EXPECT_EQ(ocr::detect_separator(*sheet).kind, ocr::SeparatorKind::kPatchT);
  // Scanned: as JPEG, upside down and slightly tilted.
  auto png = sheet->rotated(2).encode_png();
  ASSERT_TRUE(png.has_value());
  cv::Mat m = cv::imdecode(*png, cv::IMREAD_GRAYSCALE);
  EXPECT_TRUE(ocr::detect_separator(to_image(rotate_mat(m, 0.7), ".jpg", 70)).found());
  // The QR alone (bars hidden) is found too.
  cv::Mat qr_only = m.clone();
  qr_only(cv::Rect(0, qr_only.rows - 400, qr_only.cols, 400)).setTo(255);
  EXPECT_EQ(ocr::detect_separator(to_image(qr_only)).kind, ocr::SeparatorKind::kQr);
  EXPECT_FALSE(ocr::has_patch_t(to_image(qr_only)));
  for (int app = 1; app <= 4; ++app)
    for (int page = 1; page <= 5; ++page) {
      if (!fs::exists(sample(app, page))) continue;
      auto img = ocr::decode_pages(read_bytes(sample(app, page)));
      ASSERT_TRUE(img.has_value());
      EXPECT_FALSE(ocr::detect_separator((*img)[0]).found()) << "app " << app << " page " << page;
    }
}

}  // namespace
