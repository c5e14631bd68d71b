// The seed session of scikit-learn's "Model persistence" page, in C++ with mlpersist.
// Each step quotes the Python it replaces.
//
//   persistence_example [IRIS_CSV] [OUT_DIR]       the session, then a second process loads
//   persistence_example --load OUT_DIR IRIS_CSV     (the second process)

#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/registry.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

namespace fs = std::filesystem;

namespace {

const char* const kFormats[] = {"binary", "msgpack", "json"};

// ">>> clf = joblib.load('filename.pkl')", possibly in another process: this is that process.
int load_in_this_process(const fs::path& dir, const fs::path& iris_csv) {
  const auto registry = mlpersist::Registry::with_default_plugins();
  const auto iris = mlpersist::read_csv(iris_csv);
  for (const char* format : kFormats) {
    const fs::path file = dir / (std::string("model.") + format);
    // No format hint: the file's header names its backend and its estimator type.
    const auto clf = mlpersist::load(registry, file);
    const auto predicted = clf->predict(iris.X);
    const long correct = (predicted.array() == iris.y.array()).count();
    std::cout << "[pid " << ::getpid() << "] loaded " << file << ": " << clf->repr().substr(0, 12)
              << "..., predict(X[0:1]) = " << predicted(0) << ", training accuracy " << correct
              << "/" << iris.y.size() << "\n";
    if (predicted(0) != 0.0) return 1;
  }
  return 0;
}

int session(const fs::path& iris_csv, const fs::path& dir, const char* self) {
  // Plugins give us estimator types and file formats: nothing is hard-wired.
  const auto registry = mlpersist::Registry::with_default_plugins();
  // >>> from sklearn import svm
  // >>> clf = svm.SVC()
  const auto clf = registry.create("svm.SVC");
  // >>> iris = datasets.load_iris()
  // >>> X, y = iris.data, iris.target
  const auto iris = mlpersist::read_csv(iris_csv);
  // >>> clf.fit(X, y)
  clf->set_feature_names(iris.feature_names);
  clf->fit(iris.X, iris.y);
  std::cout << clf->repr() << "\n";
  // >>> s = pickle.dumps(clf)        (bytes; the default format is the compact binary one)
  const std::string s = mlpersist::dumps(registry, *clf);
  // >>> clf2 = pickle.loads(s)       (no code named by the bytes is ever run)
  const auto clf2 = mlpersist::loads(registry, s);
  // >>> clf2.predict(X[0:1])
  // array([0])
  const double first = clf2->predict(iris.X.topRows(1))(0);
  // >>> y[0]
  // 0
  std::cout << "clf2.predict(X[0:1]) = [" << first << "], y[0] = " << iris.y(0) << " ("
            << s.size() << " bytes)\n";
  // >>> joblib.dump(clf, 'filename.pkl')  -- in every format, chosen at run time by name
  fs::create_directories(dir);
  for (const char* format : kFormats)
    mlpersist::dump(registry, *clf, dir / (std::string("model.") + format), {.format = format});
  // ... and load them back in another process.
  const std::string cmd = "'" + std::string(self) + "' --load '" + dir.string() + "' '" +
                          iris_csv.string() + "'";
  std::cout.flush();  // keep our lines before the child's
  const int rc = std::system(cmd.c_str());
  return first == iris.y(0) && rc == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 4 && std::string(argv[1]) == "--load") return load_in_this_process(argv[2], argv[3]);
    const fs::path iris = argc > 1 ? argv[1] : MLPERSIST_EXAMPLE_IRIS;
    const fs::path dir = argc > 2 ? argv[2] : fs::temp_directory_path() / "mlpersist-example";
    return session(iris, dir, argv[0]);
  } catch (const mlpersist::Error& e) {
    std::cerr << "persistence_example: " << e.what() << "\n";
    return 1;
  }
}
