// The correction request letter (letter.h), with libharu and an embedded TrueType Japanese font.
#include "station/outputs/letter.h"

#include <hpdf.h>

#include <memory>
#include <string_view>

namespace station::outputs {

namespace {

void on_hpdf_error(HPDF_STATUS, HPDF_STATUS, void*) {}

// Bytes of the UTF-8 sequence starting with `lead`.
std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  return 4;
}

// Splits text into lines of at most `width` ems (full-width characters 1, ASCII and half-width
// katakana ½), breaking at newlines; a line does not start with 、。）」 (kinsoku, simply).
std::vector<std::string> wrap(std::string_view text, double width) {
  std::vector<std::string> lines;
  std::string line;
  double used = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto n = std::min(utf8_length(static_cast<unsigned char>(text[i])), text.size() - i);
    const std::string_view ch = text.substr(i, n);
    i += n;
    if (ch == "\n") {
      lines.push_back(std::move(line));
      line.clear();
      used = 0;
      continue;
    }
    const bool half = n == 1 || (n == 3 && static_cast<unsigned char>(ch[0]) == 0xEF &&
                                 (static_cast<unsigned char>(ch[1]) == 0xBD || static_cast<unsigned char>(ch[1]) == 0xBE));
    const double w = half ? 0.5 : 1.0;
    const bool no_start = ch == "、" || ch == "。" || ch == "）" || ch == "」" || ch == "，" || ch == "．";
    if (used + w > width && !line.empty() && !no_start) {
      lines.push_back(std::move(line));
      line.clear();
      used = 0;
    }
    line += ch;
    used += w;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

class Writer {
 public:
  Writer(HPDF_Doc pdf, HPDF_Font font) : pdf_(pdf), font_(font) { new_page(); }

  // One paragraph from `indent` ems, wrapped; right-aligned when `right`.
  void paragraph(std::string_view text, double size, double indent = 0, bool right = false, bool centre = false) {
    const double ems = (kWidth - indent * size) / size;
    for (const auto& l : wrap(text, ems)) {
      if (y_ - size < kMargin) new_page();
      y_ -= size * 1.6;
      double x = kMargin + indent * size;
      if (right || centre) {
        HPDF_Page_SetFontAndSize(page_, font_, static_cast<HPDF_REAL>(size));
        const double w = HPDF_Page_TextWidth(page_, l.c_str());
        x = right ? kMargin + kWidth - w : kMargin + (kWidth - w) / 2;
      }
      text_at(l, x, y_, size);
    }
  }
  void gap(double points) { y_ -= points; }

 private:
  static constexpr double kPageW = 595.276, kPageH = 841.89, kMargin = 64;
  static constexpr double kWidth = kPageW - 2 * kMargin;

  void new_page() {
    page_ = HPDF_AddPage(pdf_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    y_ = kPageH - kMargin;
  }
  void text_at(const std::string& s, double x, double y, double size) {
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font_, static_cast<HPDF_REAL>(size));
    HPDF_Page_TextOut(page_, static_cast<HPDF_REAL>(x), static_cast<HPDF_REAL>(y), s.c_str());
    HPDF_Page_EndText(page_);
  }

  HPDF_Doc pdf_;
  HPDF_Font font_;
  HPDF_Page page_ = nullptr;
  double y_ = 0;
};

}  // namespace

std::vector<std::filesystem::path> letter_font_candidates() {
  return {"/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf", "/usr/share/fonts/truetype/fonts-japanese-mincho.ttf",
          "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"};
}

Result<std::vector<unsigned char>> correction_letter_pdf(const CorrectionLetter& l) {
  std::filesystem::path font_file;
  for (const auto& f : letter_font_candidates()) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(f, ec)) {
      font_file = f;
      break;
    }
  }
  if (font_file.empty())
    return fail(ErrorCode::kExport, "no Japanese TrueType font (fonts-ipafont-mincho) is installed",
                "日本語フォント（fonts-ipafont-mincho）がありません。管理者に hardware/deploy/install-deps.sh の実行を依頼してください。");
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, decltype(&HPDF_Free)> doc(HPDF_New(on_hpdf_error, nullptr),
                                                                                &HPDF_Free);
  if (!doc) return fail(ErrorCode::kExport, "libharu could not create a document");
  HPDF_Doc pdf = doc.get();
  HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(pdf);
  HPDF_SetCurrentEncoder(pdf, "UTF-8");
  const char* name = HPDF_LoadTTFontFromFile(pdf, font_file.c_str(), HPDF_TRUE);
  HPDF_Font font = name ? HPDF_GetFont(pdf, name, "UTF-8") : nullptr;
  if (font == nullptr || HPDF_GetError(pdf) != HPDF_OK)
    return fail(ErrorCode::kExport, "libharu could not load the font " + font_file.string());
  HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, ("補正指示書 " + l.receipt_no).c_str());
  HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "station");

  Writer w(pdf, font);
  const std::string round = "第" + std::to_string(l.round) + "回";
  w.paragraph("受付番号 " + l.receipt_no, 10.5, 0, true);
  w.paragraph(l.issued_on_ja, 10.5, 0, true);
  w.gap(10);
  if (!l.corp_postal_code.empty()) w.paragraph("〒" + l.corp_postal_code, 10.5);
  if (!l.corp_address.empty()) w.paragraph(l.corp_address, 10.5);
  w.paragraph(l.corp_name.empty() ? std::string("申請者") : l.corp_name, 10.5);
  std::string rep = l.rep_title;
  if (!rep.empty() && !l.rep_name.empty()) rep += "　";
  rep += l.rep_name;
  w.paragraph((rep.empty() ? std::string("代表者") : rep) + "　様", 10.5);
  w.gap(6);
  w.paragraph(l.sender, 10.5, 0, true);
  w.gap(16);
  w.paragraph("千葉県高齢者福祉施設等物価高騰対策給付金の交付申請の補正について（" + round + "）", 12, 0, false, true);
  w.gap(12);
  std::string intro = "　" + l.received_on_ja + "に受け付けました標記給付金の交付申請";
  if (!l.facility_name.empty()) intro += "（施設の名称：" + l.facility_name + "）";
  intro += "について、審査の結果、下記の点について補正（書類の訂正又は追加の提出）が必要です。";
  w.paragraph(intro, 10.5);
  w.paragraph("　お手数ですが、下記の提出期限までに、補正した書類を当事務局あてにご提出ください。訂正箇所には、申請書に押印したものと同じ印を押してください。", 10.5);
  w.paragraph("　期限までにご提出がない場合は、千葉県に照会のうえ、申請をお受けできないことがあります。ご不明な点は当事務局までお問い合わせください。", 10.5);
  w.gap(10);
  w.paragraph("記", 10.5, 0, false, true);
  w.gap(6);
  w.paragraph("１　補正が必要な事項", 10.5);
  int n = 0;
  for (const auto& d : l.defects) w.paragraph("（" + std::to_string(++n) + "）" + d, 10.5, 1);
  w.gap(6);
  w.paragraph("２　提出期限　" + l.deadline_ja + "（必着）", 10.5);
  w.gap(6);
  w.paragraph("３　提出先　" + l.sender, 10.5);
  if (!l.note.empty()) {
    w.gap(6);
    w.paragraph("４　その他", 10.5);
    w.paragraph(l.note, 10.5, 1);
  }
  w.gap(10);
  w.paragraph("以上", 10.5, 0, true);
  if (HPDF_GetError(pdf) != HPDF_OK)
    return fail(ErrorCode::kExport, "libharu failed on the letter (error " + std::to_string(HPDF_GetError(pdf)) + ")");

  if (HPDF_SaveToStream(pdf) != HPDF_OK) return fail(ErrorCode::kExport, "libharu could not save the letter");
  HPDF_ResetStream(pdf);
  std::vector<unsigned char> out(HPDF_GetStreamSize(pdf));
  HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.size());
  if (HPDF_ReadFromStream(pdf, out.data(), &size) != HPDF_OK && size == 0)
    return fail(ErrorCode::kExport, "libharu could not read back the letter");
  out.resize(size);
  return out;
}

}  // namespace station::outputs
