// The command line's trust features as an operator uses them: keygen, sign, loading that
// requires a signature or restricts types, inspect --check-types, and plugin permissions.

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <mlpersist/envelope.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/persist.hpp>

#include "shell_quote.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlpersist;
using test::run_cli;

using mlpersist::test::shell_quoted;

struct Workspace {
  fs::path dir = test::temp_dir();
  fs::path model = dir / "svc.bin";
  std::string iris = shell_quoted(test::data_dir() / "iris.csv");

  Workspace() {
    EXPECT_EQ(run_cli("fit svm.SVC --data " + iris + " -o " + shell_quoted(model)), 0);
    EXPECT_EQ(run_cli("keygen -o " + shell_quoted(dir / "alice")), 0);
    EXPECT_EQ(run_cli("keygen -o " + shell_quoted(dir / "bob")), 0);
  }
  [[nodiscard]] std::string predict(const std::string& options) const {
    return "predict " + shell_quoted(model) + " --data " + iris + " -o " +
           shell_quoted(dir / "out.csv") + " " + options;
  }
};

TEST(CliSecurity, KeygenWritesAPrivateSecretAndAPublicKey) {
  const Workspace w;
  EXPECT_EQ(fs::status(w.dir / "alice.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(read_secret_key(w.dir / "alice.key").public_key(),
            read_public_key(w.dir / "alice.pub"));
  std::string error;
  EXPECT_EQ(run_cli("keygen -o " + shell_quoted(w.dir / "alice"), nullptr, &error), 1);
  EXPECT_NE(error.find("must not exist yet"), std::string::npos) << error;
}

TEST(CliSecurity, SignedModelsLoadOnlyWithTheTrustedKey) {
  const Workspace w;
  std::string output;
  std::string error;
  const std::string alice = " --trusted-key " + shell_quoted(w.dir / "alice.pub");
  const std::string bob = " --trusted-key " + shell_quoted(w.dir / "bob.pub");
  EXPECT_EQ(run_cli(w.predict(alice + " --require-signature"), nullptr, &error), 1);
  EXPECT_NE(error.find("not signed"), std::string::npos) << error;
  ASSERT_EQ(run_cli("sign " + shell_quoted(w.model) + " --key " + shell_quoted(w.dir / "alice.key"),
                    &output),
            0);
  EXPECT_NE(output.find(read_public_key(w.dir / "alice.pub").hex()), std::string::npos) << output;
  EXPECT_EQ(run_cli(w.predict(alice + " --require-signature"), nullptr, &error), 0) << error;
  EXPECT_EQ(run_cli(w.predict(bob + " --require-signature"), nullptr, &error), 1);
  EXPECT_NE(error.find("not among the trusted keys"), std::string::npos) << error;
  EXPECT_EQ(run_cli("show " + shell_quoted(w.model) + alice + " --require-signature", &output), 0);
  EXPECT_EQ(run_cli("convert " + shell_quoted(w.model) + " --format json -o " +
                    shell_quoted(w.dir / "svc.json") + alice + " --require-signature"),
            0);
  // A conversion is a new artifact: unsigned until someone signs it.
  EXPECT_EQ(run_cli("show " + shell_quoted(w.dir / "svc.json") + alice + " --require-signature",
                    nullptr, &error),
            1);
  EXPECT_NE(error.find("not signed"), std::string::npos) << error;
}

TEST(CliSecurity, TamperingAfterSigningIsCaught) {
  const Workspace w;
  ASSERT_EQ(
      run_cli("sign " + shell_quoted(w.model) + " --key " + shell_quoted(w.dir / "alice.key")), 0);
  // Flip a payload bit and recompute the payload checksum, as a forger would.
  std::string bytes;
  {
    std::ifstream in(w.model, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const Header h = read_header(std::as_bytes(std::span(bytes.data(), bytes.size())), "x", {});
  bytes[h.payload_offset + 10] ^= 1;
  const std::string trailer =
      write_trailer(std::as_bytes(std::span(bytes.data() + h.payload_offset, h.payload_size)));
  bytes.replace(h.payload_offset + h.payload_size, trailer.size(), trailer);
  std::ofstream(w.model, std::ios::binary | std::ios::trunc) << bytes;
  std::string error;
  EXPECT_EQ(
      run_cli(w.predict("--trusted-key " + shell_quoted(w.dir / "alice.pub")), nullptr, &error), 1);
  EXPECT_NE(error.find("altered after it was signed"), std::string::npos) << error;
}

TEST(CliSecurity, AllowTypeRestrictsWhatLoads) {
  const Workspace w;
  std::string error;
  EXPECT_EQ(run_cli(w.predict("--allow-type svm.SVC"), nullptr, &error), 0) << error;
  EXPECT_EQ(run_cli(w.predict("--allow-type linear_model.Ridge"), nullptr, &error), 1);
  EXPECT_NE(error.find("outside the allowed set: svm.SVC"), std::string::npos) << error;
}

TEST(CliSecurity, InspectCheckTypesMarksTypesNoPluginProvides) {
  const Workspace w;
  std::string output;
  EXPECT_EQ(run_cli("inspect --check-types " + shell_quoted(w.model), &output), 0);
  EXPECT_NE(output.find("svm.SVC (schema"), std::string::npos) << output;
  EXPECT_NE(output.find("ok (plugin svm)"), std::string::npos) << output;
  Header h;
  h.backend = "binary";
  h.type_tag = "pipeline.Pipeline";
  h.types = {{"pipeline.Pipeline", 1}, {"evil.Exploit", 1}, {"evil.Dropper", 2}};
  std::ofstream(w.dir / "evil.bin", std::ios::binary) << test::craft_artifact(h, "x");
  std::string error;
  EXPECT_EQ(run_cli("inspect --check-types " + shell_quoted(w.dir / "evil.bin"), &output, &error),
            1);
  EXPECT_NE(output.find("evil.Exploit (schema 1): UNKNOWN"), std::string::npos) << output;
  EXPECT_NE(output.find("evil.Dropper (schema 2): UNKNOWN"), std::string::npos) << output;
  EXPECT_NE(error.find("evil.Dropper, evil.Exploit"), std::string::npos) << error;
  EXPECT_EQ(run_cli("inspect --json --check-types --allow-type svm.SVC " +
                        shell_quoted(w.dir / "evil.bin"),
                    &output),
            1);
  const Value json = parse_json_text(output, "<cli output>", {});
  const Array& check = json.as_map().find("type_check")->as_array();
  ASSERT_EQ(check.size(), 3u);
  EXPECT_EQ(check[2].as_map().find("status")->as_string(), "not allowed");  // pipeline.Pipeline
  // Without --check-types no plugin is loaded, whatever the file names.
  EXPECT_EQ(run_cli("inspect " + shell_quoted(w.dir / "evil.bin"), &output), 0);
}

TEST(CliSecurity, RefusesPluginsOthersCouldReplaceUnlessAllowed) {
  const Workspace w;
  const fs::path plugins = w.dir / "plugins";
  fs::create_directories(plugins);
  fs::copy_file(fs::path(MLPERSIST_TEST_PLUGIN_DIR) / "binary.so", plugins / "binary.so");
  fs::permissions(plugins / "binary.so", fs::perms(0666));
  std::string output;
  EXPECT_EQ(run_cli("plugins --plugin-dir " + shell_quoted(plugins), &output), 0);
  EXPECT_NE(output.find("writable by every user"), std::string::npos) << output;
  EXPECT_EQ(
      run_cli("plugins --allow-writable-plugins --plugin-dir " + shell_quoted(plugins), &output),
      0);
  EXPECT_NE(output.find("backend binary"), std::string::npos) << output;
}

}  // namespace
