// KMeans as a plugin estimator: scikit-learn parity with random_state=0 on iris (k=3) and
// diabetes (k=4), round trips, and load-time validation of hand-edited state.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "kmeans.hpp"
#include "parity.hpp"

namespace {

using namespace mlpersist;

std::shared_ptr<Estimator> fitted_kmeans(const Matrix& X, std::int64_t k,
                                         std::optional<std::int64_t> seed = 0) {
  auto est = test::registry().create("cluster.KMeans");
  Map params;
  params.insert("n_clusters", k).insert("random_state", seed ? Value(*seed) : Value());
  est->set_params(params);
  est->fit(X, Vector());
  return est;
}

// Rows whose label differs from the reference's after the best one-to-one relabelling (greedy
// by co-occurrence, which is exact when the partitions nearly agree).
int rows_differing_up_to_relabelling(const cluster::Labels& mine, const Vector& theirs) {
  std::map<std::pair<std::int64_t, std::int64_t>, int> together;
  for (std::size_t i = 0; i < mine.size(); ++i)
    ++together[{mine[i], static_cast<std::int64_t>(theirs(static_cast<Eigen::Index>(i)))}];
  std::vector<std::pair<int, std::pair<std::int64_t, std::int64_t>>> pairs;
  for (const auto& [key, count] : together) pairs.push_back({count, key});
  std::sort(pairs.rbegin(), pairs.rend());
  std::map<std::int64_t, std::int64_t> to_theirs;
  std::set<std::int64_t> taken;
  int agreeing = 0;
  for (const auto& [count, key] : pairs) {
    if (to_theirs.contains(key.first) || taken.contains(key.second)) continue;
    to_theirs[key.first] = key.second;
    taken.insert(key.second);
    agreeing += count;
  }
  return static_cast<int>(mine.size()) - agreeing;
}

struct ParityCase {
  std::string dataset;
  std::int64_t k;
};

class KMeansParity : public ::testing::TestWithParam<ParityCase> {};

TEST_P(KMeansParity, MatchesScikitLearn) {
  const auto& [name, k] = GetParam();
  const Dataset d = test::load_dataset(name);
  const auto ref = test::load_reference(name + "__kmeans");
  const auto est = fitted_kmeans(d.X, k);
  const auto& km = dynamic_cast<const cluster::KMeans&>(*est);
  const auto& fitted = ref["fitted"];
  const double want_inertia = fitted["inertia_"].GetDouble();
  test::report(name + " KMeans inertia rel error",
               std::abs(km.inertia() - want_inertia) / want_inertia);
  EXPECT_LE(std::abs(km.inertia() - want_inertia), 0.01 * want_inertia);
  const int differing =
      rows_differing_up_to_relabelling(km.labels(), test::json_vector(fitted["labels_"]));
  test::report(name + " KMeans rows differing up to relabelling", differing);
  EXPECT_EQ(differing, 0);
  // transform and predict agree: the predicted centre is the nearest one.
  const Matrix distances = est->transform(d.X);
  const Vector predicted = est->predict(d.X);
  for (Eigen::Index i = 0; i < d.X.rows(); ++i) {
    Eigen::Index nearest = 0;
    (void)distances.row(i).minCoeff(&nearest);
    EXPECT_EQ(static_cast<double>(nearest), predicted(i)) << "row " << i;
  }
  EXPECT_TRUE(test::near_rel(est->score(d.X, Vector()), -km.inertia(), 1e-12));
  // Exact agreement, which the reproduced NumPy random stream makes possible.
  test::report(
      name + " KMeans centres max rel error",
      test::max_rel_error(km.cluster_centers(), test::json_matrix(fitted["cluster_centers_"])));
  test::report(name + " KMeans transform max rel error",
               test::max_rel_error(distances, test::json_matrix(ref["transform_test"])));
  EXPECT_TRUE(test::bit_identical(predicted, test::json_vector(ref["predict_train"])));
  EXPECT_EQ(km.n_iter(), fitted["n_iter_"].GetInt64());
  EXPECT_TRUE(
      test::near_rel(km.cluster_centers(), test::json_matrix(fitted["cluster_centers_"]), 1e-9));
  EXPECT_TRUE(test::near_rel(distances, test::json_matrix(ref["transform_test"]), 1e-9));
  EXPECT_TRUE(test::near_rel(km.inertia(), want_inertia, 1e-9));
  test::expect_cv_scores(*est, d, ref, 1e-9, name + " KMeans");
}

INSTANTIATE_TEST_SUITE_P(Datasets, KMeansParity,
                         ::testing::Values(ParityCase{"iris", 3}, ParityCase{"diabetes", 4}),
                         [](const auto& info) { return info.param.dataset; });

TEST(KMeans, UnseededFitsStillFindTheIrisClusters) {
  const Dataset d = test::load_dataset("iris");
  const auto est = fitted_kmeans(d.X, 3, std::nullopt);
  EXPECT_LE(dynamic_cast<const cluster::KMeans&>(*est).inertia(), 78.86);
}

TEST(KMeans, MoreClustersThanDistinctPointsRelocatesEmptyClusters) {
  Matrix X(6, 2);
  X << 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1;
  const auto est = fitted_kmeans(X, 3);
  const auto& km = dynamic_cast<const cluster::KMeans&>(*est);
  EXPECT_EQ(km.inertia(), 0.0);
  EXPECT_TRUE(km.cluster_centers().allFinite());
  for (const auto label : km.labels()) EXPECT_TRUE(label >= 0 && label < 3);
  test::expect_round_trips_bit_identical(*est, X);
}

TEST(KMeans, RoundTripsBitIdenticalThroughEveryBackendAndMedium) {
  const Dataset d = test::load_dataset("diabetes");
  const auto est = fitted_kmeans(d.X, 4);
  test::expect_round_trips_bit_identical(*est, d.X);
  const auto back = loads(test::registry(), dumps(test::registry(), *est));
  EXPECT_EQ(back->score(d.X, Vector()), est->score(d.X, Vector()));
}

TEST(KMeans, LoadRejectsInconsistentHandEditedState) {
  const Dataset d = test::load_dataset("iris");
  const auto est = fitted_kmeans(d.X, 3);
  test::expect_rejected_edit(*est, "cluster_centers_", Tensor::from_matrix(Matrix::Zero(2, 4)));
  test::expect_rejected_edit(*est, "cluster_centers_", Tensor::from_matrix(Matrix::Zero(3, 5)));
  Matrix nan_centers = Matrix::Zero(3, 4);
  nan_centers(1, 2) = std::nan("");
  test::expect_rejected_edit(*est, "cluster_centers_", Tensor::from_matrix(nan_centers));
  test::expect_rejected_edit(*est, "labels_", test::int_tensor({0, 1, 3}));
  test::expect_rejected_edit(*est, "labels_", test::int_tensor({0, -1}));
  test::expect_rejected_edit(*est, "inertia_", -1.0);
  test::expect_rejected_edit(*est, "n_iter_", 0);
}

TEST(KMeans, BadParametersAndInputAreRefused) {
  test::expect_params_refused("cluster.KMeans", {{"n_clusters", 0},
                                                 {"n_init", 0},
                                                 {"n_init", "auto"},
                                                 {"max_iter", 0},
                                                 {"tol", -1.0},
                                                 {"random_state", -1},
                                                 {"random_state", std::int64_t{1} << 32}});
  const Dataset d = test::load_dataset("iris");
  EXPECT_THROW((void)fitted_kmeans(d.X.topRows(2), 3), UsageError);
}

}  // namespace
