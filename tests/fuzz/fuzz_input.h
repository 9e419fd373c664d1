// Splitting one fuzz input into the several byte strings some targets need (an index file and a
// data file, a batch of serialized examples): `count - 1` pieces each preceded by its length as
// 4 little-endian bytes (clamped to what is left), then the rest as the last piece. Missing
// pieces are empty. tests/fuzz/make_seeds.py writes seeds in this layout.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tern::fuzz {

inline std::vector<std::string_view> SplitPieces(const uint8_t* data, size_t size, size_t count) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> pieces;
  for (size_t i = 0; i + 1 < count; ++i) {
    uint32_t length = 0;
    for (int b = 0; b < 4 && !rest.empty(); ++b) {
      length |= uint32_t{static_cast<uint8_t>(rest.front())} << (8 * b);
      rest.remove_prefix(1);
    }
    const size_t take = std::min<size_t>(length, rest.size());
    pieces.push_back(rest.substr(0, take));
    rest.remove_prefix(take);
  }
  pieces.push_back(rest);
  return pieces;
}

}  // namespace tern::fuzz
