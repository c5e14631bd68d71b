// The umbrella header of each audience (docs/design.md, "Public headers by audience") compiles
// on its own and reaches that audience's API; the backend author's parses no Eigen.
#include <mlpersist/backend_author.hpp>
#ifdef EIGEN_CORE_H
#error "<mlpersist/backend_author.hpp> includes Eigen, which backends never parse"
#endif
#include <gtest/gtest.h>

#include <mlpersist/application.hpp>
#include <mlpersist/estimator_author.hpp>
#include <string>
#include <type_traits>

namespace {

using namespace mlpersist;

TEST(Headers, BackendAuthorsReachTheBackendApi) {
  std::string out;
  StringSink sink(out);
  SinkWriter writer(sink);
  writer.write("ab", 2);
  writer.flush();
  EXPECT_EQ(out, "ab");
  EXPECT_EQ(base64_encode(Bytes{'a', 'b'}), "YWI=");
  EXPECT_EQ(dtype_from_code(1), DType::kFloat64);
  static_assert(std::is_abstract_v<Backend>);
}

TEST(Headers, EstimatorAuthorsAndApplicationsReachTheirApis) {
  static_assert(std::is_abstract_v<Estimator>);
  static_assert(std::is_class_v<LoadContext> && std::is_class_v<Registrar>);
  const Registry registry;
  EXPECT_EQ(registry.find_type("no.Such"), nullptr);
  EXPECT_THROW((void)registry.create("no.Such"), CompatibilityError);
}

}  // namespace
