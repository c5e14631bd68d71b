#include <gtest/gtest.h>

#include <mlpersist/params.hpp>

namespace {

using namespace mlpersist;

struct DemoParams {
  double C = 1.0;
  std::string kernel = "rbf";
  int degree = 3;
  bool shrinking = true;
  std::optional<std::int64_t> random_state;
  static constexpr std::array<std::string_view, 5> kNames{"C", "kernel", "degree", "shrinking",
                                                          "random_state"};
};

class Demo : public EstimatorWithParams<Demo, DemoParams> {
 public:
  static constexpr std::string_view kTypeTag = "demo.Demo";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;
  void validate_params(const DemoParams& p) const {
    if (p.C <= 0) throw UsageError(ErrorCode::kInvalidParameter, "C must be positive");
  }
  EstimatorKind kind() const override { return EstimatorKind::kRegressor; }
  bool supports(Method) const override { return false; }
  Value save_state(SaveContext&) const override { return Map{}; }
  void load_state(const Node&, LoadContext&) override {}

 protected:
  void do_fit(const MatrixView&, const Vector&) override {}
};

TEST(Params, GetParamsReflectsEveryFieldInOrder) {
  Demo d;
  const Value params = d.get_params();
  const Map& p = params.as_map();
  std::vector<std::string> keys;
  for (const auto& [k, v] : p) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"C", "kernel", "degree", "shrinking", "random_state"}));
  EXPECT_TRUE(p.find("random_state")->is_null());
}

TEST(Params, ReprReadsLikeScikitLearn) {
  Demo d;
  EXPECT_EQ(d.repr(), "Demo(C=1.0, kernel='rbf', degree=3, shrinking=True, random_state=None)");
}

TEST(Params, SetParamsUpdatesASubsetAndConvertsIntegersToDoubles) {
  Demo d;
  Map m;
  m.insert("C", 10).insert("random_state", 42);
  d.set_params(m);
  EXPECT_EQ(d.params().C, 10.0);
  EXPECT_EQ(d.params().random_state, 42);
  EXPECT_EQ(d.params().kernel, "rbf");
}

TEST(Params, UnknownNameListsTheValidOnes) {
  Demo d;
  Map m;
  m.insert("gama", 0.1);
  try {
    d.set_params(m);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidParameter);
    EXPECT_NE(std::string(e.what()).find("unknown parameter 'gama'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("C, kernel, degree, shrinking, random_state"),
              std::string::npos);
  }
}

TEST(Params, BadValueLeavesTheEstimatorUnchanged) {
  Demo d;
  Map m;
  m.insert("kernel", "linear").insert("C", -1.0);
  EXPECT_THROW(d.set_params(m), UsageError);
  EXPECT_EQ(d.params().kernel, "rbf");
  Map wrong_type;
  wrong_type.insert("degree", "three");
  EXPECT_THROW(d.set_params(wrong_type), UsageError);
  Map out_of_range;
  out_of_range.insert("degree", std::int64_t{1} << 40);
  EXPECT_THROW(d.set_params(out_of_range), UsageError);
}

TEST(Params, CloneCopiesParametersNotState) {
  Demo d;
  Map m;
  m.insert("C", 3.0);
  d.set_params(m);
  auto c = d.clone();
  EXPECT_EQ(c->get_params(), d.get_params());
  EXPECT_FALSE(c->is_fitted());
}

}  // namespace
