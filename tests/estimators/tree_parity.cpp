#include "tree_parity.hpp"

#include "parity.hpp"

namespace mlpersist::test {
namespace {

template <class T>
std::vector<T> json_array(const rapidjson::Value& v) {
  std::vector<T> out;
  for (const auto& e : v.GetArray()) out.push_back(e.template Get<T>());
  return out;
}

// The reference's value rows flattened: one number per node, or one row of fractions per node.
std::vector<double> json_values(const rapidjson::Value& v) {
  std::vector<double> out;
  for (const auto& row : v.GetArray()) {
    if (row.IsArray())
      for (const auto& e : row.GetArray()) out.push_back(e.GetDouble());
    else
      out.push_back(row.GetDouble());
  }
  return out;
}

}  // namespace

Map reference_params(const rapidjson::Value& params) {
  Map m;
  for (const auto& [key, v] : params.GetObject()) {
    const std::string name = key.GetString();
    if (v.IsNull())
      m.insert(name, Value());
    else if (v.IsBool())
      m.insert(name, v.GetBool());
    else if (v.IsInt64())
      m.insert(name, v.GetInt64());
    else if (v.IsDouble())
      m.insert(name, v.GetDouble());
    else
      m.insert(name, std::string(v.GetString()));
  }
  return m;
}

std::shared_ptr<Estimator> fit_like_reference(const rapidjson::Document& ref) {
  const Dataset d = load_dataset(ref["dataset"].GetString());
  auto est = registry().create(ref["estimator"].GetString());
  est->set_params(reference_params(ref["params"]));
  est->fit(d.X, d.y);
  return est;
}

// Equal bit for bit (tol 0) or within tol relative.
void expect_close(const std::vector<double>& got, const std::vector<double>& want, double tol,
                  const std::string& what) {
  if (tol == 0) {
    EXPECT_EQ(got, want) << what;
    return;
  }
  const auto as_vector = [](const std::vector<double>& v) {
    return Vector(Eigen::Map<const Vector>(v.data(), std::ssize(v)));
  };
  EXPECT_TRUE(near_rel(as_vector(got), as_vector(want), tol)) << what;
}

void expect_same_tree(const tree::Tree& t, const rapidjson::Value& ref, const std::string& what,
                      double tol) {
  using I = std::int64_t;
  EXPECT_EQ(t.node_count(), ref["node_count"].GetInt64()) << what;
  EXPECT_EQ(t.max_depth(), ref["max_depth"].GetInt64()) << what;
  EXPECT_EQ(t.children_left(), json_array<I>(ref["children_left"])) << what;
  EXPECT_EQ(t.children_right(), json_array<I>(ref["children_right"])) << what;
  EXPECT_EQ(t.feature(), json_array<I>(ref["feature"])) << what;
  EXPECT_EQ(t.threshold(), json_array<double>(ref["threshold"])) << what;
  expect_close(t.impurity(), json_array<double>(ref["impurity"]), tol, what + " impurity");
  EXPECT_EQ(t.n_node_samples(), json_array<I>(ref["n_node_samples"])) << what;
  EXPECT_EQ(t.weighted_n_node_samples(), json_array<double>(ref["weighted_n_node_samples"]))
      << what;
  std::vector<double> values;
  for (I i = 0; i < t.node_count(); ++i)
    for (const double v : t.value(i)) values.push_back(v);
  expect_close(values, json_values(ref["value"]), tol, what + " value");
}

void expect_same_trees(const std::vector<const tree::Tree*>& trees, const rapidjson::Document& ref,
                       double tol) {
  const auto& want = ref["trees"];
  ASSERT_EQ(trees.size(), want.Size()) << ref["config"].GetString();
  for (rapidjson::SizeType i = 0; i < want.Size(); ++i)
    expect_same_tree(*trees[i], want[i],
                     std::string(ref["config"].GetString()) + " tree " + std::to_string(i), tol);
}

}  // namespace mlpersist::test
