#include "src/base/crc32c.h"

#include <isa-l/crc.h>

#include <climits>

namespace eddy {

uint32_t Crc32c(ByteSpan data, uint32_t crc) {
  // ISA-L works on the raw register: pre- and post-invert to get the standard CRC-32C,
  // and feed large inputs in int-sized pieces.
  uint32_t reg = ~crc;
  const uint8_t* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    int n = left > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(left);
    reg = crc32_iscsi(const_cast<uint8_t*>(p), n, reg);
    p += n;
    left -= static_cast<size_t>(n);
  }
  return ~reg;
}

}  // namespace eddy
