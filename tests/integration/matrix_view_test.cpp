// Estimator's Matrix inputs are views (MatrixView): a caller's buffer is read in place (the
// Python binding passes NumPy's memory uncopied), and its rows need not be cols() apart. Every
// type must fit and predict the same bits on such a view as on a Matrix of its own.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>

#include "test_support.hpp"

namespace {

using namespace mlpersist;

// X in the middle of a wider buffer whose other columns are NaN: a view of it has rows
// X.cols() + 3 apart, and an estimator that steps by cols() reads NaN (refused at fit, or
// different outputs).
Matrix padded(const Matrix& X) {
  Matrix wide = Matrix::Constant(X.rows(), X.cols() + 3, std::numeric_limits<double>::quiet_NaN());
  wide.middleCols(1, X.cols()) = X;
  return wide;
}

std::shared_ptr<Estimator> seeded(const std::string& tag) {
  auto e = test::registry().create(tag);
  if (e->get_params().as_map().contains("random_state")) {
    Map m;
    m.insert("random_state", 0);
    e->set_params(m);
  }
  return e;
}

TEST(MatrixView, EveryTypeFitsAndPredictsTheSameOnAStridedView) {
  std::size_t checked = 0;
  for (const TypeInfo& t : test::registry().types()) {
    // Composites need steps; their steps are the types checked here.
    if (t.type_tag == "pipeline.Pipeline" || t.type_tag == "compose.ColumnTransformer") continue;
    SCOPED_TRACE(t.type_tag);
    auto own = seeded(t.type_tag);
    auto viewed = seeded(t.type_tag);
    const Dataset d =
        test::load_dataset(own->kind() == EstimatorKind::kRegressor ? "diabetes" : "iris");
    const Matrix wide = padded(d.X);
    const MatrixView view = wide.middleCols(1, d.X.cols());
    ASSERT_NE(view.outerStride(), view.cols());
    ASSERT_EQ(view.data(), wide.data() + 1);  // a view of wide's memory, not a copy
    own->fit(d.X, d.y);
    viewed->fit(view, d.y);
    for (Method m :
         {Method::kPredict, Method::kDecisionFunction, Method::kPredictProba, Method::kTransform}) {
      if (!own->supports(m)) continue;
      SCOPED_TRACE(std::string(method_name(m)));
      const Matrix expected = apply_method(*own, m, d.X);
      EXPECT_TRUE(test::bit_identical(apply_method(*viewed, m, d.X), expected));
      EXPECT_TRUE(test::bit_identical(apply_method(*own, m, view), expected));
    }
    ++checked;
  }
  EXPECT_GE(checked, 20u);
}

// The input checks read every element of a view and nothing beside it: NaN or infinity in any
// cell is refused (infinity only, where NaN means missing), and the NaN padding between rows is
// never mistaken for data.
TEST(MatrixView, InputChecksSeeEveryCellOfAStridedViewAndNothingElse) {
  const Dataset d = test::load_dataset("diabetes");
  const Matrix X = d.X.topRows(9);
  auto linear = test::registry().create("linear_model.LinearRegression");
  linear->fit(d.X, d.y);
  auto imputer = test::registry().create("impute.SimpleImputer");
  imputer->fit(d.X, d.y);
  Matrix wide = padded(X);
  const MatrixView view = wide.middleCols(1, X.cols());
  EXPECT_NO_THROW((void)linear->predict(view));
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (Eigen::Index i = 0; i < X.rows(); ++i)
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      for (const double bad : {std::numeric_limits<double>::quiet_NaN(), kInf, -kInf}) {
        wide(i, j + 1) = bad;
        EXPECT_THROW((void)linear->predict(view), UsageError) << i << "," << j << ": " << bad;
        if (std::isnan(bad))
          EXPECT_NO_THROW((void)imputer->transform(view)) << i << "," << j;
        else
          EXPECT_THROW((void)imputer->transform(view), UsageError) << i << "," << j << ": " << bad;
      }
      wide(i, j + 1) = X(i, j);
    }
}

}  // namespace
