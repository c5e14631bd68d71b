#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mlpersist/text.hpp>
#include <string>
#include <vector>

namespace {

using namespace mlpersist;

std::string real_text(double v) {
  char text[kRealTextCapacity];
  return {text, write_real_text(v, text)};
}

std::string real_text(float v) {
  char text[kRealTextCapacity];
  return {text, write_real_text(v, text)};
}

TEST(Text, ShapeIsSpelledAsAPythonTuple) {
  EXPECT_EQ(shape_text(std::vector<std::uint64_t>{150, 4}), "(150, 4)");
  EXPECT_EQ(shape_text(std::vector<std::uint64_t>{3}), "(3,)");
  EXPECT_EQ(shape_text(std::vector<std::uint64_t>{}), "()");
  EXPECT_EQ(shape_text(std::vector<std::uint64_t>{0, 18446744073709551615u}),
            "(0, 18446744073709551615)");
}

TEST(Text, RealTextIsShortestAndStaysAFloat) {
  EXPECT_EQ(real_text(1.0), "1.0");
  EXPECT_EQ(real_text(-0.0), "-0.0");
  EXPECT_EQ(real_text(0.1), "0.1");
  EXPECT_EQ(real_text(1e300), "1e+300");
  EXPECT_EQ(real_text(5e-324), "5e-324");
  EXPECT_EQ(real_text(0.1f), "0.1");
  EXPECT_EQ(real_text(16777216.0f), "16777216.0");
}

TEST(Text, RealTextReadsBackToTheSameBits) {
  for (const double v : {std::numeric_limits<double>::max(), std::numeric_limits<double>::min(),
                         std::numeric_limits<double>::denorm_min(), -1.0 / 3.0, 123456789.0}) {
    const std::string text = real_text(v);
    EXPECT_LE(text.size(), kRealTextCapacity);
    double back = 0;
    ASSERT_EQ(std::from_chars(text.data(), text.data() + text.size(), back).ec, std::errc());
    EXPECT_EQ(std::bit_cast<std::uint64_t>(back), std::bit_cast<std::uint64_t>(v)) << text;
  }
}

TEST(Text, FormatDoubleIsBareAndNamesNonFiniteValues) {
  EXPECT_EQ(format_double(1.0), "1");
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(Text, NonFiniteNamesRoundTrip) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const double v : {kInf, -kInf}) EXPECT_EQ(parse_non_finite(non_finite_name(v)), v);
  EXPECT_EQ(non_finite_name(std::numeric_limits<double>::quiet_NaN()), "NaN");
  const auto nan = parse_non_finite("NaN");
  ASSERT_TRUE(nan.has_value());
  EXPECT_TRUE(std::isnan(*nan));
  EXPECT_FALSE(parse_non_finite("nan").has_value());
  EXPECT_FALSE(parse_non_finite("Infinity ").has_value());
}

TEST(Text, ExcerptCutsLongTextAtACharacterBoundary) {
  EXPECT_EQ(excerpt("short"), "short");
  EXPECT_EQ(excerpt(std::string(40, 'a')), std::string(40, 'a'));
  EXPECT_EQ(excerpt(std::string(41, 'a')), std::string(40, 'a') + "...");
  // "é" is two bytes; byte 40 is the second one, so the cut moves back before the character.
  const std::string text = std::string(39, 'a') + "\xc3\xa9" + "tail";
  EXPECT_EQ(excerpt(text), std::string(39, 'a') + "...");
}

}  // namespace
