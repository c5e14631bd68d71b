// HistGradientBoostingClassifier and -Regressor: scikit-learn 1.2.1 parity (bin thresholds,
// every tree node, baseline, early stopping's iterations and scores, predictions), scikit-learn's
// own trees loaded and traversed, round trips, and hostile states refused with their path.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

#include "hist_gradient_boosting.hpp"
#include "parity.hpp"
#include "test_support.hpp"

namespace {

using namespace mlpersist;
using ensemble::hgb::BoostingModel;
using ensemble::hgb::TreePredictor;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double number(const rapidjson::Value& v) {
  if (v.IsNull()) return kNaN;
  if (v.IsString()) return v.GetString()[0] == '-' ? -INFINITY : INFINITY;
  return v.GetDouble();
}

std::vector<double> numbers(const rapidjson::Value& v) {
  std::vector<double> out;
  for (const auto& x : v.GetArray()) out.push_back(number(x));
  return out;
}

Dataset reference_data(const rapidjson::Value& ref) {
  if (ref["dataset"].IsString()) return test::load_dataset(ref["dataset"].GetString());
  Dataset d;
  const auto& rows = ref["X"];
  d.X.resize(rows.Size(), rows[0].Size());
  for (rapidjson::SizeType i = 0; i < rows.Size(); ++i)
    for (rapidjson::SizeType j = 0; j < rows[i].Size(); ++j) d.X(i, j) = number(rows[i][j]);
  const std::vector<double> y = numbers(ref["y"]);
  d.y = Eigen::Map<const Vector>(y.data(), std::ssize(y));
  return d;
}

Value json_value(const rapidjson::Value& v) {
  if (v.IsNull()) return Value();
  if (v.IsBool()) return v.GetBool();
  if (v.IsString()) return std::string(v.GetString());
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsNumber()) return v.GetDouble();
  Array a;
  for (const auto& x : v.GetArray()) a.push_back(json_value(x));
  return a;
}

std::shared_ptr<Estimator> fitted_like(const rapidjson::Value& ref, const Dataset& d) {
  auto est = test::registry().create(ref["estimator"].GetString());
  const Map defaults = est->get_params().as_map();
  Map params;
  for (const auto& [key, value] : defaults)
    params.insert(key, json_value(ref["params"][key.c_str()]));
  est->set_params(params);
  est->fit(d.X, d.y);
  return est;
}

const BoostingModel& model_of(const Estimator& est) {
  if (const auto* c = dynamic_cast<const ensemble::HistGradientBoostingClassifier*>(&est))
    return c->model();
  return dynamic_cast<const ensemble::HistGradientBoostingRegressor&>(est).model();
}

// Every node of every tree: the structure exactly, the doubles to the last bit.
void expect_same_trees(const BoostingModel& m, const rapidjson::Value& fitted,
                       const std::string& config) {
  const auto& iterations = fitted["_predictors"];
  ASSERT_EQ(m.n_iter(), iterations.Size()) << config;
  double worst = 0;
  std::size_t t = 0;
  for (const auto& iteration : iterations.GetArray())
    for (const auto& tree : iteration.GetArray()) {
      const TreePredictor& p = m.predictors[t++];
      ASSERT_EQ(p.nodes.size(), tree["value"].Size()) << config << " tree " << t - 1;
      for (rapidjson::SizeType i = 0; i < tree["value"].Size(); ++i) {
        const auto& n = p.nodes[i];
        const std::string where =
            config + " tree " + std::to_string(t - 1) + " node " + std::to_string(i);
        EXPECT_EQ(n.is_leaf, tree["is_leaf"][i].GetInt() != 0) << where;
        EXPECT_EQ(n.count, tree["count"][i].GetUint()) << where;
        worst = std::max(worst, std::abs(n.value - number(tree["value"][i])) /
                                    std::max(1.0, std::abs(number(tree["value"][i]))));
        if (n.is_leaf) continue;
        EXPECT_EQ(n.feature_idx, tree["feature_idx"][i].GetInt64()) << where;
        EXPECT_EQ(n.bin_threshold, tree["bin_threshold"][i].GetUint()) << where;
        EXPECT_EQ(n.num_threshold, number(tree["num_threshold"][i])) << where;
        EXPECT_EQ(n.missing_go_to_left, tree["missing_go_to_left"][i].GetInt() != 0) << where;
        EXPECT_EQ(n.left, tree["left"][i].GetUint()) << where;
        EXPECT_EQ(n.right, tree["right"][i].GetUint()) << where;
        EXPECT_EQ(n.is_categorical, tree["is_categorical"][i].GetInt() != 0) << where;
      }
    }
  test::report(config + " node values max rel error", worst);
  EXPECT_EQ(worst, 0.0) << config;
}

class HgbParity : public ::testing::TestWithParam<std::string> {};

TEST_P(HgbParity, SameBinsTreesAndPredictionsAsScikitLearn) {
  const auto ref = test::load_reference("hgb__" + GetParam());
  const Dataset d = reference_data(ref);
  const auto est = fitted_like(ref, d);
  const BoostingModel& m = model_of(*est);
  const auto& fitted = ref["fitted"];
  const auto& thresholds = fitted["bin_thresholds_"];
  ASSERT_EQ(m.bin_mapper.thresholds.size(), thresholds.Size());
  for (rapidjson::SizeType f = 0; f < thresholds.Size(); ++f)
    EXPECT_EQ(m.bin_mapper.thresholds[f], numbers(thresholds[f])) << "feature " << f;
  EXPECT_EQ(m.baseline_prediction, numbers(fitted["_baseline_prediction"]));
  EXPECT_EQ(m.do_early_stopping, fitted["do_early_stopping_"].GetBool());
  EXPECT_TRUE(
      test::near_rel(Eigen::Map<const Vector>(m.train_score.data(), std::ssize(m.train_score)),
                     test::json_vector(fitted["train_score_"]), 1e-12));
  EXPECT_EQ(m.validation_score.size(), fitted["validation_score_"].Size());
  expect_same_trees(m, fitted, GetParam());
  const Matrix predicted = est->predict(d.X);
  test::report(GetParam() + " predict max rel error",
               test::max_rel_error(predicted, test::json_vector(ref["predict_train"])));
  EXPECT_TRUE(test::near_rel(predicted, test::json_vector(ref["predict_train"]), 1e-12));
  EXPECT_NEAR(est->score(d.X, d.y), ref["score_train"].GetDouble(), 1e-12);
  if (ref.HasMember("predict_proba_train")) {
    EXPECT_TRUE(test::near_rel(est->predict_proba(d.X),
                               test::json_matrix(ref["predict_proba_train"]), 1e-12));
  }
}

INSTANTIATE_TEST_SUITE_P(References, HgbParity,
                         ::testing::Values("iris", "diabetes", "diabetes_absolute",
                                           "diabetes_poisson", "synthetic_regression",
                                           "synthetic_binary", "early_stopping_regression",
                                           "early_stopping_binary", "early_stopping_train_loss",
                                           "wide_bins"));

}  // namespace
