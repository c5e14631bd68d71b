// Picks the file format at run time: `choose_format FORMAT OUT_FILE [IRIS_CSV]`.
// Fits an SVC, saves it with the named backend, and reads back only the header to show that the
// file names its own format (no hint is needed to load it).

#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/registry.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: choose_format FORMAT OUT_FILE [IRIS_CSV]\n";
    return 2;
  }
  try {
    const auto registry = mlpersist::Registry::with_default_plugins();
    std::cout << "available formats:";
    for (const auto& b : registry.backends()) std::cout << " " << b.name;
    std::cout << "\n";
    const auto iris = mlpersist::read_csv(argc > 3 ? argv[3] : MLPERSIST_EXAMPLE_IRIS);
    const auto clf = registry.create("svm.SVC");
    clf->fit(iris.X, iris.y);
    mlpersist::dump(registry, *clf, argv[2], {.format = argv[1]});
    const mlpersist::Header h = mlpersist::inspect(argv[2]);
    std::cout << "wrote " << argv[2] << ": backend=" << h.backend << " type=" << h.type_tag
              << " payload=" << h.payload_size << " bytes\n";
    const auto back = mlpersist::load(registry, argv[2]);
    std::cout << "loaded back, predict(X[0:1]) = " << back->predict(iris.X.topRows(1))(0) << "\n";
    return 0;
  } catch (const mlpersist::Error& e) {
    std::cerr << "choose_format: " << e.what() << "\n";
    return 1;
  }
}
