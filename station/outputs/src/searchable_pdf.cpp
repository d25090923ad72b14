// The searchable PDF writer (pdf.h: build_searchable_pdf): PDF 1.7 objects written by hand, so the
// text layer is exactly what the station means it to be (docs/outputs.md, "Searchable PDFs").
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "station/outputs/cms.h"
#include "station/outputs/pdf.h"

namespace station::outputs {

extern const unsigned char kGlyphlessFont[];
extern const std::size_t kGlyphlessFontSize;

namespace {

struct Image {
  int width = 0, height = 0;
  std::string filter, colorspace, decode_parms, decode;
  int bits = 8;
  std::string data;
  std::string palette;  // indexed PNG: the PLTE bytes
};

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// A JPEG as it is: its size and components from the frame header.
Result<Image> jpeg_image(const std::vector<unsigned char>& b) {
  std::size_t i = 2;
  while (i + 9 < b.size()) {
    if (b[i] != 0xFF) return fail(ErrorCode::kExport, "JPEG: marker expected");
    const unsigned char m = b[i + 1];
    if (m == 0xFF) {
      ++i;
      continue;
    }
    const std::size_t len = (std::size_t{b[i + 2]} << 8) | b[i + 3];
    const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    if (sof) {
      Image img;
      img.height = (b[i + 5] << 8) | b[i + 6];
      img.width = (b[i + 7] << 8) | b[i + 8];
      const int comps = b[i + 9];
      img.colorspace = comps == 1 ? "/DeviceGray" : comps == 3 ? "/DeviceRGB" : "/DeviceCMYK";
      if (comps == 4) img.decode = "[1 0 1 0 1 0 1 0]";  // Adobe's inverted CMYK
      img.filter = "/DCTDecode";
      img.data.assign(b.begin(), b.end());
      return img;
    }
    i += 2 + len;
  }
  return fail(ErrorCode::kExport, "JPEG: no frame header");
}

// A PNG's compressed image data as it is, with the predictor parameters that undo its filters.
Result<Image> png_image(const std::vector<unsigned char>& b) {
  static const unsigned char kSig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() < 33 || !std::equal(kSig, kSig + 8, b.begin())) return fail(ErrorCode::kExport, "PNG: bad signature");
  Image img;
  int color = 0, interlace = 0;
  std::size_t i = 8;
  while (i + 12 <= b.size()) {
    const std::uint32_t len = be32(&b[i]);
    const std::string type(reinterpret_cast<const char*>(&b[i + 4]), 4);
    if (i + 12 + len > b.size()) return fail(ErrorCode::kExport, "PNG: truncated");
    const unsigned char* d = &b[i + 8];
    if (type == "IHDR") {
      img.width = static_cast<int>(be32(d));
      img.height = static_cast<int>(be32(d + 4));
      img.bits = d[8];
      color = d[9];
      interlace = d[12];
    } else if (type == "PLTE") {
      img.palette.assign(reinterpret_cast<const char*>(d), len);
    } else if (type == "IDAT") {
      img.data.append(reinterpret_cast<const char*>(d), len);
    } else if (type == "IEND") {
      break;
    }
    i += 12 + len;
  }
  if (interlace != 0 || (color != 0 && color != 2 && color != 3))
    return fail(ErrorCode::kExport, "PNG: interlaced or with alpha: not carried");
  const int colors = color == 2 ? 3 : 1;
  if (color == 3) {
    char cs[64];
    std::snprintf(cs, sizeof cs, "[/Indexed /DeviceRGB %zu <", img.palette.size() / 3 - 1);
    std::string s = cs;
    for (unsigned char c : img.palette) {
      char h[3];
      std::snprintf(h, sizeof h, "%02X", c);
      s += h;
    }
    img.colorspace = s + ">]";
  } else {
    img.colorspace = colors == 3 ? "/DeviceRGB" : "/DeviceGray";
  }
  img.filter = "/FlateDecode";
  img.decode_parms = "<< /Predictor 15 /Colors " + std::to_string(colors) + " /BitsPerComponent " +
                     std::to_string(img.bits) + " /Columns " + std::to_string(img.width) + " >>";
  return img;
}

// A raw CCITT G4 stream (ocr::encode_ccitt_g4) as it is: 1 bit gray, K -1, black is 0 once decoded.
Result<Image> g4_image(const PdfPage& p) {
  if (p.width <= 0 || p.height <= 0 || p.bytes.empty()) return fail(ErrorCode::kExport, "G4 page without size or data");
  Image img;
  img.width = p.width;
  img.height = p.height;
  img.bits = 1;
  img.colorspace = "/DeviceGray";
  img.filter = "/CCITTFaxDecode";
  img.decode_parms = "<< /K -1 /Columns " + std::to_string(p.width) + " /Rows " + std::to_string(p.height) + " >>";
  img.data.assign(p.bytes.begin(), p.bytes.end());
  return img;
}

// UTF-8 -> code points (invalid bytes become U+FFFD).
std::u32string code_points(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string utf16be_hex(char32_t cp) {
  char h[16];
  if (cp < 0x10000) {
    std::snprintf(h, sizeof h, "%04X", static_cast<unsigned>(cp));
  } else {
    const char32_t v = cp - 0x10000;
    std::snprintf(h, sizeof h, "%04X%04X", static_cast<unsigned>(0xD800 + (v >> 10)), static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
  }
  return h;
}

// A text string for the document information: UTF-16BE with its byte-order mark, in hex.
std::string pdf_text(std::string_view utf8) {
  std::string s = "<FEFF";
  for (char32_t cp : code_points(utf8)) s += utf16be_hex(cp);
  return s + ">";
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

// Text for XML (the XMP packet): &, <, > and quotes escaped.
std::string xml_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// The XMP metadata of a PDF/A-2b file: its PDF/A identification and the same title, subject,
// keywords and producer as the document information (PDF/A wants the two to agree).
std::string xmp_packet(const PdfInfo& info, std::string_view producer) {
  return "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
         "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
         "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
         "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
         "<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n</rdf:Description>\n"
         "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
         "<dc:format>application/pdf</dc:format>\n"
         "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" +
         xml_text(info.title) +
         "</rdf:li></rdf:Alt></dc:title>\n"
         "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">" +
         xml_text(info.subject) +
         "</rdf:li></rdf:Alt></dc:description>\n</rdf:Description>\n"
         "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
         "<pdf:Keywords>" +
         xml_text(info.keywords) + "</pdf:Keywords>\n<pdf:Producer>" + xml_text(producer) +
         "</pdf:Producer>\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>";
}

class Writer {
 public:
  int reserve() { return static_cast<int>(++count_); }
  void object(int id, const std::string& body) {
    offsets_[id] = out_.size();
    out_ += std::to_string(id) + " 0 obj\n" + body + "\nendobj\n";
  }
  void stream(int id, const std::string& dict, std::string_view data) {
    offsets_[id] = out_.size();
    out_ += std::to_string(id) + " 0 obj\n<< " + dict + " /Length " + std::to_string(data.size()) + " >>\nstream\n";
    out_.append(data);
    out_ += "\nendstream\nendobj\n";
  }
  std::vector<unsigned char> finish(int root, int info, const std::string& file_id = {}) {
    const std::size_t xref = out_.size();
    out_ += "xref\n0 " + std::to_string(count_ + 1) + "\n0000000000 65535 f \n";
    for (std::size_t id = 1; id <= count_; ++id) {
      char line[32];
      std::snprintf(line, sizeof line, "%010zu 00000 n \n", offsets_[static_cast<int>(id)]);
      out_ += line;
    }
    out_ += "trailer\n<< /Size " + std::to_string(count_ + 1) + " /Root " + std::to_string(root) + " 0 R /Info " +
            std::to_string(info) + " 0 R" + (file_id.empty() ? "" : " /ID [<" + file_id + "> <" + file_id + ">]") +
            " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return {out_.begin(), out_.end()};
  }
  Writer() { out_ = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"; }
  // The file identifier (trailer /ID, which PDF/A requires): the first 16 bytes of the SHA-256 of
  // everything written so far, in hex.
  std::string file_id() const {
    return sha256_hex(std::span(reinterpret_cast<const unsigned char*>(out_.data()), out_.size())).substr(0, 32);
  }

 private:
  std::string out_;
  std::size_t count_ = 0;
  std::map<int, std::size_t> offsets_;
};

}  // namespace

Result<std::vector<unsigned char>> build_searchable_pdf(const std::vector<PdfPage>& pages, const PdfInfo& info) {
  if (pages.empty()) return fail(ErrorCode::kExport, "a PDF needs at least one page");
  // Each distinct character its own CID (1, 2, ...), in order of first use.
  std::map<char32_t, unsigned> cid;
  for (const auto& p : pages)
    for (const auto& t : p.text)
      for (char32_t cp : code_points(t.text)) cid.emplace(cp, 0);
  unsigned next = 1;
  for (auto& [cp, id] : cid) id = next++;
  if (cid.size() > 65000) return fail(ErrorCode::kExport, "too many distinct characters for one font");

  Writer w;
  const int catalog = w.reserve(), pages_id = w.reserve(), info_id = w.reserve();
  const int font = w.reserve(), cidfont = w.reserve(), descriptor = w.reserve(), fontfile = w.reserve(),
            cidmap = w.reserve(), tounicode = w.reserve();
  std::string kids;
  for (const auto& p : pages) {
    auto img = p.is_ccitt_g4 ? g4_image(p) : p.is_jpeg ? jpeg_image(p.bytes) : png_image(p.bytes);
    if (!img) return std::unexpected(img.error());
    const double dpi = p.dpi > 0 ? p.dpi : 200;
    const double pw = img->width * 72.0 / dpi, ph = img->height * 72.0 / dpi;
    const int page = w.reserve(), content = w.reserve(), image = w.reserve();
    std::string dict = "/Type /XObject /Subtype /Image /Width " + std::to_string(img->width) + " /Height " +
                       std::to_string(img->height) + " /ColorSpace " + img->colorspace + " /BitsPerComponent " +
                       std::to_string(img->bits) + " /Filter " + img->filter;
    if (!img->decode_parms.empty()) dict += " /DecodeParms " + img->decode_parms;
    if (!img->decode.empty()) dict += " /Decode " + img->decode;
    w.stream(image, dict, img->data);
    // The image, then the text over it, invisible (3 Tr), each span stretched to its box (Tz).
    std::string c = "q " + num(pw) + " 0 0 " + num(ph) + " 0 0 cm /Im0 Do Q\n";
    const double k = 72.0 / dpi;
    for (const auto& t : p.text) {
      const auto cps = code_points(t.text);
      if (cps.empty() || t.w <= 0 || t.h <= 0) continue;
      // Font size from the box's height; the run stretched (Tz) to the box's width. A space is a
      // quarter em (the font's W), the rest one em: so a reader sees one word gap where the value
      // has a space, and no gap elsewhere (no space is ever added).
      const double size = t.h * k * 0.85;
      double ems = 0;
      for (char32_t cp : cps) ems += cp == U' ' ? 0.25 : 1.0;
      const double natural = ems * size;
      const double scale = natural > 0 ? 100.0 * (t.w * k) / natural : 100.0;
      std::string hex;
      for (char32_t cp : cps) {
        char h[8];
        std::snprintf(h, sizeof h, "%04X", cid[cp]);
        hex += h;
      }
      c += "BT 3 Tr /F1 " + num(size) + " Tf " + num(scale) + " Tz 1 0 0 1 " + num(t.x * k) + " " +
           num(ph - (t.y + t.h) * k + t.h * k * 0.15) + " Tm <" + hex + "> Tj ET\n";
    }
    w.stream(content, "", c);
    std::string page_dict = "<< /Type /Page /Parent " + std::to_string(pages_id) + " 0 R /MediaBox [0 0 " + num(pw) +
                            " " + num(ph) + "] /Resources << /XObject << /Im0 " + std::to_string(image) +
                            " 0 R >> /Font << /F1 " + std::to_string(font) + " 0 R >> >> /Contents " +
                            std::to_string(content) + " 0 R";
    if (p.rotation % 360 != 0) page_dict += " /Rotate " + std::to_string(((p.rotation % 360) + 360) % 360);
    w.object(page, page_dict + " >>");
    kids += std::to_string(page) + " 0 R ";
  }
  w.object(pages_id, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>");
  const std::string producer = "申請受付ステーション";
  std::string catalog_dict = "<< /Type /Catalog /Pages " + std::to_string(pages_id) + " 0 R /Lang (ja-JP)";
  const bool pdfa = !info.output_intent_icc.empty();
  if (pdfa) {
    // PDF/A-2b: the XMP metadata (not compressed, so that any reader finds it) and the sRGB
    // output intent, which DeviceRGB and DeviceGray images are then read against.
    const int metadata = w.reserve(), icc = w.reserve();
    w.stream(metadata, "/Type /Metadata /Subtype /XML", xmp_packet(info, producer));
    w.stream(icc, "/N 3", info.output_intent_icc);
    catalog_dict += " /Metadata " + std::to_string(metadata) +
                    " 0 R /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB "
                    "IEC61966-2.1) /Info (sRGB IEC61966-2.1) /DestOutputProfile " +
                    std::to_string(icc) + " 0 R >>]";
  }
  w.object(catalog, catalog_dict + " >>");
  w.object(info_id, "<< /Title " + pdf_text(info.title) + " /Subject " + pdf_text(info.subject) + " /Keywords " +
                        pdf_text(info.keywords) + " /Producer " + pdf_text(producer) + " >>");
  // The font: Type0, Identity-H, over the glyph-less CIDFontType2; every CID maps to glyph 1.
  std::string space_width;
  if (auto sp = cid.find(U' '); sp != cid.end()) space_width = " /W [" + std::to_string(sp->second) + " [250]]";
  w.object(font, "<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H /DescendantFonts [" +
                     std::to_string(cidfont) + " 0 R] /ToUnicode " + std::to_string(tounicode) + " 0 R >>");
  w.object(cidfont, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont /CIDSystemInfo << /Registry "
                    "(Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor " +
                        std::to_string(descriptor) + " 0 R /DW 1000" + space_width + " /CIDToGIDMap " + std::to_string(cidmap) +
                        " 0 R >>");
  w.object(descriptor, "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 1000 1000] "
                       "/ItalicAngle 0 /Ascent 1000 /Descent -1 /CapHeight 1000 /StemV 80 /FontFile2 " +
                           std::to_string(fontfile) + " 0 R >>");
  w.stream(fontfile, "/Length1 " + std::to_string(kGlyphlessFontSize),
           std::string_view(reinterpret_cast<const char*>(kGlyphlessFont), kGlyphlessFontSize));
  std::string map(2 * (cid.size() + 1), '\0');
  for (std::size_t i = 1; i <= cid.size(); ++i) map[2 * i + 1] = '\x01';
  w.stream(cidmap, "", map);
  // ToUnicode: each CID back to its character (a non-BMP one as its surrogate pair), at most 100
  // entries a bfchar block.
  std::string cmap =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering "
      "(UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> "
      "<FFFF>\nendcodespacerange\n";
  std::vector<std::pair<unsigned, char32_t>> entries;
  for (const auto& [cp, id] : cid) entries.emplace_back(id, cp);
  for (std::size_t i = 0; i < entries.size(); i += 100) {
    const std::size_t n = std::min<std::size_t>(100, entries.size() - i);
    cmap += std::to_string(n) + " beginbfchar\n";
    for (std::size_t j = i; j < i + n; ++j) {
      char h[8];
      std::snprintf(h, sizeof h, "%04X", entries[j].first);
      cmap += std::string("<") + h + "> <" + utf16be_hex(entries[j].second) + ">\n";
    }
    cmap += "endbfchar\n";
  }
  cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  w.stream(tounicode, "", cmap);
  return w.finish(catalog, info_id, pdfa ? w.file_id() : std::string());
}

}  // namespace station::outputs
