#include "terminal_text.hpp"

#include <gtest/gtest.h>

namespace mlpersist::cli {
namespace {

TEST(TerminalSafe, EscapesWhatATerminalActsOnAndKeepsTheRest) {
  EXPECT_EQ(terminal_safe("plain text, caf\xc3\xa9"), "plain text, caf\xc3\xa9");
  EXPECT_EQ(terminal_safe("\x1b[2J"), "\\u001b[2J");
  EXPECT_EQ(terminal_safe("a\nb\rc\x7f"), "a\\u000ab\\u000dc\\u007f");
  EXPECT_EQ(terminal_safe("a\nb", /*keep_newlines=*/true), "a\nb");
  EXPECT_EQ(terminal_safe("\xc2\x9b"
                          "31m"),
            "\\u009b31m");                                  // C1 CSI
  EXPECT_EQ(terminal_safe("x\xe2\x80\xaey"), "x\\u202ey");  // right-to-left override
  EXPECT_EQ(terminal_safe("a\xe2\x80\x8b"
                          "b"),
            "a\\u200bb");                                       // zero-width space
  EXPECT_EQ(terminal_safe("\xef\xbb\xbfname"), "\\ufeffname");  // byte order mark
  EXPECT_EQ(terminal_safe("bad \xff\xc3"), "bad \\xff\\xc3");   // not UTF-8
}

TEST(Shown, BareOnlyForPlainNamesAndQuotedOtherwise) {
  EXPECT_EQ(shown("svm.SVC"), "svm.SVC");
  EXPECT_EQ(shown("1.2.3+git"), "1.2.3+git");
  EXPECT_EQ(shown("signature: verified OK"), "\"signature: verified OK\"");
  EXPECT_EQ(shown("a\nb"), "\"a\\nb\"");
  EXPECT_EQ(shown(""), "\"\"");
  EXPECT_EQ(shown("x\xe2\x80\xae"), "\"x\\u202e\"");
}

}  // namespace
}  // namespace mlpersist::cli
