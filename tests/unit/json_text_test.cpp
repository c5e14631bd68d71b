#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/utf8.hpp>

namespace {

using namespace mlpersist;

TEST(JsonText, RoundTripsPlainValues) {
  Map m;
  m.insert("name", "iris").insert("rows", 150).insert("score", 0.9666666666666667);
  m.insert("folds", Array{1, 2.5, nullptr, true});
  const Value v(std::move(m));
  EXPECT_EQ(parse_json_text(to_json_text(v), "mem", {}), v);
  EXPECT_EQ(parse_json_text(to_json_text(v, /*pretty=*/true), "mem", {}), v);
}

TEST(JsonText, RefusesWhatPlainJsonCannotHold) {
  EXPECT_THROW((void)to_json_text(Value(std::nan(""))), UsageError);
  EXPECT_THROW((void)to_json_text(Value(Tensor())), UsageError);
}

TEST(JsonText, RejectsEscapedLoneSurrogate) {
  // RapidJSON 1.1 validates raw UTF-8 but decodes "\udc00" into bytes that are not UTF-8.
  EXPECT_THROW((void)parse_json_text(R"({"k": "\udc00"})", "mem", {}), FormatError);
  EXPECT_NO_THROW((void)parse_json_text(R"({"k": "\ud83d\ude00"})", "mem", {}));
}

// ASCII text skips RapidJSON's per-byte encoding check; anything else still gets it, wherever
// the first non-ASCII byte sits (the ASCII scan reads 8 bytes at a time, then the tail).
TEST(JsonText, ValidatesEncodingOnlyOfTextThatIsNotAscii) {
  const std::string padding(13, 'x');
  EXPECT_EQ(parse_json_text(R"({"k":"caf\u00e9"})", "<t>", {}).as_map().find("k")->as_string(),
            "caf\xc3\xa9");
  EXPECT_EQ(parse_json_text("{\"k\":\"caf\xc3\xa9\"}", "<t>", {}).as_map().find("k")->as_string(),
            "caf\xc3\xa9");
  for (std::size_t at = 0; at < padding.size(); ++at) {
    const std::string text = "[\"" + padding.substr(0, at) + "\xc0\xaf" + "\"]";
    EXPECT_THROW((void)parse_json_text(text, "<t>", {}), FormatError) << at;
    const std::string ok = "[\"" + padding.substr(0, at) + "\xc3\xa9" + "\"]";
    EXPECT_EQ(parse_json_text(ok, "<t>", {}).as_array()[0].as_string(),
              padding.substr(0, at) + "\xc3\xa9");
  }
}

TEST(JsonText, RejectsDuplicateKeysDepthAndGarbage) {
  EXPECT_THROW((void)parse_json_text(R"({"a": 1, "a": 2})", "mem", {}), FormatError);
  EXPECT_THROW((void)parse_json_text(std::string(100, '[') + std::string(100, ']'), "mem", {}),
               FormatError);
  EXPECT_THROW((void)parse_json_text("{} x", "mem", {}), FormatError);
  EXPECT_THROW((void)parse_json_text("{\"a\": \"\xff\"}", "mem", {}), FormatError);
}

TEST(JsonText, MeasuresNestingBeforeBuildingATree) {
  Limits limits;
  limits.max_depth = 3;
  // Brackets inside strings, escaped quotes included, are text, not nesting.
  EXPECT_NO_THROW((void)parse_json_text(R"({"a": ["[[[[\"{{{{", [1]]})", "mem", limits));
  // Three levels of values below the root: at the limit. Four: one past it.
  EXPECT_NO_THROW((void)parse_json_text("[[[0]]]", "mem", limits));
  try {
    (void)parse_json_text(std::string(100'000, '[') + std::string(100'000, ']'), "mem", limits);
    FAIL() << "parsed 100,000 levels";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kLimitExceeded);
    EXPECT_NE(std::string(e.what()).find("mem: at byte 4:"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)parse_json_text("[[[[0]]]]", "mem", limits), FormatError);
  limits.max_values = 3;
  EXPECT_THROW((void)parse_json_text("[1, 2, 3]", "mem", limits), FormatError);
  EXPECT_NO_THROW((void)parse_json_text("[1, 2]", "mem", limits));
}

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(find_invalid_utf8("plain ascii text, long enough for the fast path"),
            std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("caf\xc3\xa9"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ab\xc0\xaf"), 2u);        // overlong '/'
  EXPECT_EQ(find_invalid_utf8("abc\xed\xa0\x80"), 3u);   // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("x\xe2\x82"), 1u);         // truncated sequence
}

}  // namespace

namespace {

// Numbers are converted from their text with std::from_chars, not RapidJSON's full-precision
// path, which hit undefined behaviour (clz(0)) on long numbers like this one (fuzz_envelope).
TEST(JsonText, ReadsNumbersExactlyFromTheirText) {
  const std::string long_number =
      "0.06416744860000000000000000000000000000000000000000000000000000044641636506989144";
  double expected = 0;
  std::from_chars(long_number.data(), long_number.data() + long_number.size(), expected);
  const mlpersist::Value v = mlpersist::parse_json_text(
      "[" + long_number + ", -9223372036854775808, 18446744073709551615, 1e-5, -0.0, 3]", "<test>",
      {});
  const mlpersist::Array& a = v.as_array();
  EXPECT_EQ(a[0].as_double(), expected);
  EXPECT_EQ(a[1].as_int(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(a[2].as_uint(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(a[3].as_double(), 1e-5);
  EXPECT_TRUE(std::signbit(a[4].as_double()));
  EXPECT_EQ(a[5].as_int(), 3);
  EXPECT_THROW((void)mlpersist::parse_json_text("[1e999]", "<test>", {}), mlpersist::FormatError);
  // Past uint64: the nearest double, as RapidJSON reads it.
  EXPECT_EQ(mlpersist::parse_json_text("[18446744073709551616]", "<test>", {}).as_array()[0],
            mlpersist::Value(18446744073709551616.0));
}

}  // namespace
