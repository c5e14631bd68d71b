// The model store against a PostgreSQL 15 server that the test starts itself: initdb and
// pg_ctl in a temporary directory, as an unprivileged user (nobody, when the tests run as
// root), listening on a unix socket in that directory only, stopped at the end.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <mlpersist/error.hpp>
#include <mlpersist/store.hpp>

#include "store_processes.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlpersist;
using mlpersist::test::as_bytes;
using mlpersist::test::registry;
using mlpersist::test::run_command;

const fs::path kPgBin = "/usr/lib/postgresql/15/bin";

class PgServer {
 public:
  PgServer() {
    char name[] = "/tmp/mlpersist-pg-XXXXXX";
    if (::mkdtemp(name) == nullptr) return;
    dir_ = name;
    // The server refuses to run as root; nobody owns its directory then.
    if (::geteuid() == 0 && run_command("chown nobody:nogroup " + dir_.string()) != 0) return;
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    std::string err;
    ready_ = run_command(as_owner(kPgBin / "initdb") + " -D " + (dir_ / "data").string() +
                             " -U mlpersist --auth=trust -E UTF8",
                         nullptr, &err) == 0 &&
             start();
    if (!ready_) why_ = err;
  }
  ~PgServer() {
    if (ready_) (void)stop();
    fs::remove_all(dir_);
  }

  bool start() {
    return run_command(as_owner(kPgBin / "pg_ctl") + " -D " + (dir_ / "data").string() + " -l " +
                       (dir_ / "log").string() + " -w -o \"-k " + dir_.string() +
                       " -c listen_addresses='' -c fsync=off\" start") == 0;
  }
  bool stop() {
    return run_command(as_owner(kPgBin / "pg_ctl") + " -D " + (dir_ / "data").string() +
                       " -m fast -w stop") == 0;
  }
  [[nodiscard]] bool ready() const { return ready_; }
  [[nodiscard]] const std::string& why() const { return why_; }
  [[nodiscard]] std::string uri(const std::string& db = "postgres") const {
    return "postgresql:///" + db + "?host=" + dir_.string() + "&user=mlpersist";
  }
  // A fresh database per test, so tests do not see each other's models.
  std::string new_database(const std::string& name) {
    (void)run_command(kPgBin.string() + "/createdb -h " + dir_.string() + " -U mlpersist " + name);
    return uri(name);
  }

 private:
  std::string as_owner(const fs::path& program) const {
    return (::geteuid() == 0 ? "setpriv --reuid=nobody --regid=nogroup --clear-groups " : "") +
           program.string();
  }

  fs::path dir_;
  bool ready_ = false;
  std::string why_;
};

PgServer* server = nullptr;

class PostgresqlStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (fs::exists(kPgBin / "initdb")) server = new PgServer();
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  void SetUp() override {
    if (server == nullptr) GTEST_SKIP() << "PostgreSQL 15 is not installed";
    ASSERT_TRUE(server->ready()) << "could not start PostgreSQL: " << server->why();
    dir_ = test::temp_dir();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "t_" + std::string(info->name()).substr(0, 40);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    uri_ = server->new_database(name);
  }
  ModelStore open() { return ModelStore::open(registry(), uri_, {.cache_dir = dir_ / "cache"}); }

  fs::path dir_;
  std::string uri_;
};

TEST_F(PostgresqlStore, RoundTripsVersionsAliasesAndSearch) {
  ModelStore store = open();
  const std::string big = test::artifact_bytes(*test::fitted_knn(300000));
  SaveOptions tagged;
  tagged.provenance.user = {{"note", "'); DROP TABLE versions; --"}};
  const std::string small = test::artifact_bytes(*test::fitted_svc(), tagged);
  EXPECT_EQ(store.push(as_bytes(big), "knn", {.aliases = {"production"}}), 1u);
  EXPECT_EQ(store.push(as_bytes(big), "knn"), 2u);
  EXPECT_EQ(store.push(as_bytes(small), "svc"), 1u);
  store.pull("knn", "production", dir_ / "back.mlp");
  EXPECT_EQ(sha256_file(dir_ / "back.mlp"), sha256_hex(as_bytes(big)));
  store.set_alias("knn", 2, "production");
  EXPECT_EQ(store.resolve("knn", "production").version, 2u);
  ASSERT_EQ(store.alias_history("knn").size(), 2u);
  EXPECT_EQ(store.alias_history("knn")[1].previous, 1u);
  EXPECT_EQ(store.search({{"user.note", "'); DROP TABLE versions; --"}}).size(), 1u);
  EXPECT_EQ(store.search({{"type", "neighbors.KNeighborsClassifier"}}).size(), 2u);
  EXPECT_EQ(store.inspect("svc", "latest").type_tag, "svm.SVC");
  std::string count;
  ASSERT_EQ(run_command("psql '" + uri_ + "' -Atc 'SELECT COUNT(*) FROM chunks'", &count), 0);
  // Two pushes of the same bytes stored their chunks once: header + payload chunks of knn,
  // two chunks of svc.
  EXPECT_EQ(std::stoul(count), store.resolve("knn", "1").chunks.size() + 2);
  const Dataset iris = test::load_dataset("iris");
  EXPECT_EQ(store.load(registry(), "svc", "1")->predict(iris.X).size(), iris.X.rows());
}

TEST_F(PostgresqlStore, ConcurrentPushersAndLoadersSeeOnlyCompleteVersions) {
  test::expect_concurrent_pushes_and_loads(dir_, uri_);
}

TEST_F(PostgresqlStore, PushKilledMidwayLeavesNothingVisible) {
  const std::string big = test::artifact_bytes(*test::fitted_knn(300000));
  (void)open();  // the schema exists before the child starts its push
  test::kill_push_midway(dir_, uri_, big);
  ModelStore store = open();
  EXPECT_TRUE(store.models().empty());
  EXPECT_EQ(store.push(as_bytes(big), "killed"), 1u);
}

TEST_F(PostgresqlStore, StoppedServerGivesRetryableErrorsAndRestartRecovers) {
  ModelStore store = open();
  const std::string bytes = test::artifact_bytes(*test::fitted_svc());
  (void)store.push(as_bytes(bytes), "svc");
  ASSERT_TRUE(server->stop());
  try {
    (void)store.models();
    ADD_FAILURE() << "listed models of a stopped server";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.retryable()) << e.what();
    EXPECT_NE(std::string(e.what()).find("retry"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)store.push(as_bytes(bytes), "svc"), StoreError);
  ASSERT_TRUE(server->start());
  // The same connection object reconnects; nothing was lost or half-written.
  std::vector<StoredVersion> versions;
  for (int attempt = 0; attempt < 2 && versions.empty(); ++attempt) {
    try {
      versions = store.versions("svc");
    } catch (const StoreError& e) {
      EXPECT_TRUE(e.retryable()) << e.what();
    }
  }
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(store.push(as_bytes(bytes), "svc"), 2u);
  store.pull("svc", "1", dir_ / "back.mlp");
  EXPECT_EQ(sha256_file(dir_ / "back.mlp"), sha256_hex(as_bytes(bytes)));
}

}  // namespace
