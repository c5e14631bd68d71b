// Built with AddressSanitizer (see CMakeLists.txt): objects created by a plugin must keep its
// library mapped after the Registry that loaded it is gone.
#include <mlpersist/persist.hpp>
#include <mlpersist/registry.hpp>

#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;

fs::path good_plugin() {
  return fs::path(MLPERSIST_FIXTURE_DIR) / "good" / "fixture_good.so";
}

TEST(PluginLifetime, EstimatorOutlivesItsRegistry) {
  std::shared_ptr<mlpersist::Estimator> estimator;
  {
    mlpersist::Registry r;
    r.load_plugin(good_plugin());
    estimator = r.create("test.Constant");
  }  // the registry, and its reference to the library, are gone
  mlpersist::Matrix X = mlpersist::Matrix::Ones(4, 2);
  mlpersist::Vector y(4);
  y << 1, 2, 3, 6;
  estimator->fit(X, y);  // virtual calls into the plugin's code
  EXPECT_EQ(estimator->predict(X)(0), 3.0);
  EXPECT_EQ(estimator->repr(), "Constant(offset=0.0)");
  estimator.reset();  // the plugin's destructor runs, then the library may go
}

TEST(PluginLifetime, BackendAndLoadedModelOutliveTheirRegistry) {
  std::shared_ptr<mlpersist::Estimator> loaded;
  std::shared_ptr<const mlpersist::Backend> backend;
  {
    mlpersist::Registry r;
    r.load_plugin(good_plugin());
    r.load_plugins({MLPERSIST_TEST_PLUGIN_DIR});
    auto e = r.create("test.Constant");
    e->fit(mlpersist::Matrix::Zero(2, 1), mlpersist::Vector::Constant(2, 5.0));
    loaded = mlpersist::loads(r, mlpersist::dumps(r, *e, {.format = "msgpack"}));
    backend = r.backend("json");
  }
  EXPECT_EQ(loaded->predict(mlpersist::Matrix::Zero(1, 1))(0), 5.0);
  std::string out;
  mlpersist::StringSink sink(out);
  backend->encode(mlpersist::Value(1.5), sink);
  EXPECT_FALSE(out.empty());
}

}  // namespace
