#include <gtest/gtest.h>

#include <cstdint>
#include <mlpersist/base64.hpp>
#include <string>
#include <vector>

namespace {

using mlpersist::base64_decode;
using mlpersist::base64_encode;
using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

// RFC 4648, section 10.
TEST(Base64, EncodesTheRfcTestVectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                   {"f", "Zg=="},
                                                                   {"fo", "Zm8="},
                                                                   {"foo", "Zm9v"},
                                                                   {"foob", "Zm9vYg=="},
                                                                   {"fooba", "Zm9vYmE="},
                                                                   {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes_of(plain)), encoded);
    EXPECT_EQ(base64_decode(encoded), bytes_of(plain)) << encoded;
  }
}

TEST(Base64, RoundTripsEveryByteValue) {
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(255 - i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Base64, DecodingIsStrict) {
  for (const std::string_view bad :
       {"Zg=", "Zg", "Zh==", "Zm9=", "Z===", "Zg==Zg==", "Zm9v\n", "Zm-v", "Zm_v", "=Zm9"})
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
}

}  // namespace
