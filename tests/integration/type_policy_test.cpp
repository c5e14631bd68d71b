// Which types an artifact may build: unknown tags are refused naming them all, and
// LoadOptions::allowed_types restricts loading to an explicit set, nested documents included.

#include <gtest/gtest.h>

#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>

#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;

std::shared_ptr<Estimator> fitted(const std::string& type) {
  const Dataset iris = test::load_dataset("iris");
  auto model = test::registry().create(type);
  model->fit(iris.X, iris.y);
  return model;
}

std::shared_ptr<Estimator> fitted_pipeline() {
  auto pipeline = test::registry().create("pipeline.Pipeline");
  dynamic_cast<Composite&>(*pipeline).set_steps(
      {{"scaler", test::registry().create("preprocessing.StandardScaler")},
       {"svc", test::registry().create("svm.SVC")}});
  const Dataset iris = test::load_dataset("iris");
  pipeline->fit(iris.X, iris.y);
  return pipeline;
}

LoadOptions allowing(std::initializer_list<std::string> types) {
  LoadOptions options;
  options.allowed_types.insert(types.begin(), types.end());
  return options;
}

// Expects `load` to throw E with `code` and every needle in its message.
template <class E>
void expect_refusal(const std::function<void()>& load, ErrorCode code,
                    std::initializer_list<std::string> needles) {
  try {
    load();
    ADD_FAILURE() << "loaded; expected " << to_string(code);
  } catch (const E& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const std::string& needle : needles)
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(TypePolicy, UnknownTypesAreRefusedBeforeDecodingNamingThemAll) {
  Header h;
  h.backend = "binary";
  h.type_tag = "pipeline.Pipeline";
  h.types = {{"evil.Exploit", 1}, {"pipeline.Pipeline", 1}, {"evil.Dropper", 3}};
  // The payload is not even valid: the type check comes first.
  const std::string bytes = test::craft_artifact(h, "not a payload");
  expect_refusal<CompatibilityError>([&] { (void)loads(test::registry(), bytes); },
                                     ErrorCode::kUnknownTypeTag,
                                     {"evil.Exploit", "evil.Dropper", "<bytes>"});
}

TEST(TypePolicy, AllowedTypesAdmitOnlyThoseListed) {
  const std::string svc = dumps(test::registry(), *fitted("svm.SVC"));
  EXPECT_NO_THROW((void)loads(test::registry(), svc, allowing({"svm.SVC"})));
  const std::string pipeline = dumps(test::registry(), *fitted_pipeline());
  // Every type outside the set is named, nested ones too.
  expect_refusal<SecurityError>(
      [&] { (void)loads(test::registry(), pipeline, allowing({"svm.SVC"})); },
      ErrorCode::kTypeNotAllowed,
      {"pipeline.Pipeline", "preprocessing.StandardScaler", "allowed: svm.SVC"});
  EXPECT_NO_THROW(
      (void)loads(test::registry(), pipeline,
                  allowing({"svm.SVC", "pipeline.Pipeline", "preprocessing.StandardScaler"})));
}

TEST(TypePolicy, NestedDocumentsAreCheckedEvenWhenTheHeaderOmitsThem) {
  // A header that lists only the allowed type, over a payload that builds others: the checksum
  // is no defence (anyone can compute it), so instantiation checks every nested type as well.
  const fs::path dir = test::temp_dir();
  dump(test::registry(), *fitted_pipeline(), dir / "pipeline.bin");
  Document doc = read_document(test::registry(), dir / "pipeline.bin");
  doc.header.types = {{"svm.SVC", doc.header.types.at("svm.SVC")}};
  write_document(test::registry(), doc, "binary", dir / "lying.bin");
  // Refused as soon as it is decoded, whatever the allowlist: the document holds types its
  // header does not declare (tests/integration/untrusted_input_test.cpp covers every command).
  for (const auto& allowed : {allowing({"svm.SVC"}), allowing({"svm.SVC", "pipeline.Pipeline"})})
    expect_refusal<SecurityError>(
        [&] { (void)load(test::registry(), dir / "lying.bin", allowed); },
        ErrorCode::kTypeNotAllowed,
        {"pipeline.Pipeline", "(root)", "not listed in the header's types"});
}

TEST(TypePolicy, ResolveTypeFollowsTheRegistry) {
  ASSERT_NE(test::registry().resolve("svm.SVC"), nullptr);
  EXPECT_EQ(test::registry().resolve("svm.SVC")->plugin, "svm");
  EXPECT_EQ(test::registry().resolve("evil.Exploit"), nullptr);
}

}  // namespace
