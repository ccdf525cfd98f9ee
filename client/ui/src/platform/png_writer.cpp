// PNG output through libpng (Debian's libpng-dev).
#include <png.h>

#include <cstdio>
#include <vector>

#include "platform/window.h"

namespace rapidesk::ui {

Status write_png(const std::filesystem::path& file, int width, int height, const unsigned char* rgba) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  const auto failed = [&](std::string_view why) {
    return Status::io(Text{"Cannot write the screenshot " + file.string() + ": " + std::string(why),
                           "无法写入截图 " + file.string() + "：" + std::string(why)});
  };
  FILE* out = std::fopen(file.c_str(), "wb");
  if (out == nullptr) return failed("cannot create the file");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png != nullptr ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(out);
    std::filesystem::remove(file, ec);
    return failed("libpng failed");
  }
  png_init_io(png, out);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8, PNG_COLOR_TYPE_RGBA,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; ++y) {
    png_write_row(png, const_cast<png_bytep>(rgba + static_cast<std::size_t>(y) * width * 4));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return std::fclose(out) == 0 ? Status::ok() : failed("closing the file failed");
}

}  // namespace rapidesk::ui
