// The model store API against the SQLite store plugin: round trips, versions, aliases, search,
// content addressing, hostile input, damaged stores, trust policy and migrate_all.

#include <gtest/gtest.h>

#include <fstream>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/signature.hpp>
#include <mlpersist/store.hpp>

#include "store_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlpersist;
using mlpersist::test::as_bytes;
using mlpersist::test::registry;

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// An SVC saved at schema 1 by the old code (a committed fixture): migrate_all upgrades it.
fs::path schema_v1_svc() {
  return fs::path(MLPERSIST_TEST_DATA_DIR) / ".." / "fixtures" / "schema-v1" /
         "svc_iris.binary.mlp";
}

TEST(SqliteStore, PushPullRoundTripIsByteIdenticalAndNumbersVersions) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  const std::string big = test::artifact_bytes(*test::fitted_knn(300000));  // ~12 MB, 4 chunks
  const std::string small = test::artifact_bytes(*test::fitted_svc());
  EXPECT_EQ(store.push(as_bytes(big), "knn"), 1u);
  EXPECT_EQ(store.push(as_bytes(small), "knn"), 2u);
  EXPECT_EQ(store.push(as_bytes(small), "svc"), 1u);
  store.pull("knn", "1", dir / "one.mlp");
  store.pull("knn", "latest", dir / "two.mlp");
  EXPECT_EQ(read_all(dir / "one.mlp"), big);
  EXPECT_EQ(read_all(dir / "two.mlp"), small);
  EXPECT_EQ(store.resolve("knn", "1").chunks.size(), 1 + (big.size() - 1) / kStoreChunkSize + 1);
  const auto models = store.models();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].name, "knn");
  EXPECT_EQ(models[0].versions, 2u);
  EXPECT_EQ(models[1].latest, 1u);
}

TEST(SqliteStore, IdenticalBytesAreStoredOnce) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  const auto knn = test::fitted_knn(300000);
  // Two saves of one model differ in the header (created_at) and share every payload chunk.
  const std::string first = test::artifact_bytes(*knn);
  const std::string second = test::artifact_bytes(*knn, {.metadata = Map{}.insert("run", 2)});
  (void)store.push(as_bytes(first), "knn");
  const std::int64_t chunks = test::query_int(dir / "models.db", "SELECT COUNT(*) FROM chunks");
  (void)store.push(as_bytes(first), "knn");
  EXPECT_EQ(test::query_int(dir / "models.db", "SELECT COUNT(*) FROM chunks"), chunks);
  (void)store.push(as_bytes(second), "knn");
  EXPECT_EQ(test::query_int(dir / "models.db", "SELECT COUNT(*) FROM chunks"), chunks + 1);
  EXPECT_EQ(store.versions("knn").size(), 3u);
}

TEST(SqliteStore, AliasesMoveAndKeepTheirHistory) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  const std::string bytes = test::artifact_bytes(*test::fitted_svc());
  (void)store.push(as_bytes(bytes), "churn", {.aliases = {"production"}});
  (void)store.push(as_bytes(bytes), "churn");
  EXPECT_EQ(store.resolve("churn", "production").version, 1u);
  store.set_alias("churn", 2, "production");
  EXPECT_EQ(store.resolve("churn", "production").version, 2u);
  const auto history = store.alias_history("churn");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_FALSE(history[0].previous.has_value());
  EXPECT_EQ(history[1].previous, 1u);
  EXPECT_FALSE(history[1].moved_by.empty());
  EXPECT_THROW(store.set_alias("churn", 9, "production"), StoreError);
  EXPECT_THROW(store.set_alias("churn", 1, "42"), UsageError);  // would read as a version
  try {
    (void)store.resolve("churn", "staging");
    FAIL() << "resolved a missing alias";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_FALSE(e.retryable());
  }
}

TEST(SqliteStore, SearchesIndexedHeaderFields) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  SaveOptions tagged;
  tagged.provenance.user = {{"owner", "ml-team"}};
  (void)store.push(as_bytes(test::artifact_bytes(*test::fitted_svc(), tagged)), "svc");
  (void)store.push(as_bytes(test::artifact_bytes(*test::fitted_knn(100))), "knn");
  const auto svcs = store.search({{"type", "svm.SVC"}});
  ASSERT_EQ(svcs.size(), 1u);
  EXPECT_EQ(svcs[0].name, "svc");
  EXPECT_EQ(store.search({{"type", "svm.SVC"}, {"user.owner", "ml-team"}}).size(), 1u);
  EXPECT_TRUE(store.search({{"type", "svm.SVC"}, {"user.owner", "someone"}}).empty());
  EXPECT_EQ(store.search({{"backend", "binary"}}).size(), 2u);
}

TEST(SqliteStore, HostileNamesAreRefusedAndHostileMetadataIsStoredVerbatim) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  const std::string bytes = test::artifact_bytes(*test::fitted_svc());
  const std::vector<std::string> names{
      "x'; DROP TABLE models;--", "../etc/passwd", "a b", "", "-rf", "name@1", "s#t",
      std::string(200, 'a')};
  for (const std::string& name : names)
    EXPECT_THROW((void)store.push(as_bytes(bytes), name), UsageError) << name;
  const std::string hostile = "'); DELETE FROM chunks; DROP TABLE versions; --\" \\ %_";
  SaveOptions options;
  options.provenance.user = {{"note", hostile}, {"x' OR '1'='1", "key"}};
  (void)store.push(as_bytes(test::artifact_bytes(*test::fitted_svc(), options)), "ok");
  EXPECT_EQ(store.search({{"user.note", hostile}}).size(), 1u);
  EXPECT_TRUE(store.search({{"user.note", "' OR '1'='1"}}).empty());
  EXPECT_EQ(store.search({{"user.x' OR '1'='1", "key"}}).size(), 1u);
  EXPECT_EQ(test::query_int(dir / "models.db", "SELECT COUNT(*) FROM versions"), 1);
  EXPECT_EQ(test::query_text(dir / "models.db", "PRAGMA integrity_check"), "ok");
}

TEST(SqliteStore, RefusesDamagedArtifactsAtPushAndStoresNothing) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  std::string bytes = test::artifact_bytes(*test::fitted_svc());
  bytes[bytes.size() / 2] ^= 0x01;
  EXPECT_THROW((void)store.push(as_bytes(bytes), "svc"), FormatError);
  EXPECT_THROW((void)store.push(as_bytes(bytes.substr(0, 100)), "svc"), FormatError);
  EXPECT_TRUE(store.models().empty());
}

TEST(SqliteStore, InspectReadsOnlyTheHeaderChunkAndLoadsVerifyEveryChunk) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  (void)store.push(as_bytes(test::artifact_bytes(*test::fitted_knn(300000))), "knn");
  // Damage every payload chunk in the database: the header chunk alone still serves inspect.
  test::execute(dir / "models.db",
                "UPDATE chunks SET data = zeroblob(size) WHERE hash IN (SELECT hash FROM "
                "version_chunks WHERE seq > 0)");
  const Header h = store.inspect("knn", "latest");
  EXPECT_EQ(h.type_tag, "neighbors.KNeighborsClassifier");
  try {
    (void)store.load(registry(), "knn", "1");
    FAIL() << "loaded damaged chunks";
  } catch (const FormatError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kChecksumMismatch);
    EXPECT_NE(std::string(e.what()).find("knn@1"), std::string::npos) << e.what();
  }
  // Nothing unverified reached the cache.
  EXPECT_TRUE(fs::is_empty(dir / "cache"));
}

TEST(SqliteStore, InspectCarriesTheTrailerChecksumOfTheFile) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  const std::string big = test::artifact_bytes(*test::fitted_knn(300000));
  { std::ofstream(dir / "knn.mlp", std::ios::binary) << big; }
  (void)store.push(dir / "knn.mlp", "knn");
  const Header from_file = mlpersist::inspect(dir / "knn.mlp");
  ASSERT_NE(from_file.payload_checksum, 0u);
  EXPECT_EQ(store.inspect("knn", "1").payload_checksum, from_file.payload_checksum);
  // The recorded header must agree with the first chunk, or inspect says the store is damaged.
  test::execute(dir / "models.db", "UPDATE versions SET header = '{}'");
  EXPECT_THROW((void)store.inspect("knn", "1"), FormatError);
}

TEST(SqliteStore, CachedFileChangedInPlaceIsFetchedAgainNeverLoaded) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  const auto svc = test::fitted_svc();
  const std::string bytes = test::artifact_bytes(*svc);
  (void)store.push(as_bytes(bytes), "svc");
  const fs::path cached = store.fetch(store.resolve("svc", "1"));
  ASSERT_EQ(read_all(cached), bytes);
  EXPECT_TRUE(fs::exists(cached.string() + ".verified"));
  // Same size, one byte of the payload changed: a hit checked by size alone would load it.
  for (const std::size_t at : {bytes.size() / 2, std::size_t{40}}) {
    {
      std::fstream f(cached, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(at));
      f.put(static_cast<char>(bytes[at] ^ 0x5a));
    }
    ASSERT_NE(read_all(cached), bytes);
    const auto loaded = store.load(registry(), "svc", "1");
    const Dataset iris = test::load_dataset("iris");
    EXPECT_TRUE(loaded->predict(iris.X) == svc->predict(iris.X));
    EXPECT_EQ(read_all(cached), bytes) << "the damaged cache file was not replaced";
  }
}

TEST(SqliteStore, LoadsApplyTheAllowlistAndSignaturePolicyAsFilesDo) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  const auto svc = test::fitted_svc();
  (void)store.push(as_bytes(test::artifact_bytes(*svc)), "svc");
  const auto loaded = store.load(registry(), "svc", "latest");
  const Dataset iris = test::load_dataset("iris");
  EXPECT_TRUE(test::bit_identical(loaded->predict(iris.X), svc->predict(iris.X)));
  EXPECT_THROW((void)store.load(registry(), "svc", "1", {.allowed_types = {"tree.Other"}}),
               SecurityError);
  const KeyPair key = generate_key_pair();
  LoadOptions signed_only;
  signed_only.trusted_public_keys = {key.public_key};
  signed_only.require_signature = true;
  EXPECT_THROW((void)store.load(registry(), "svc", "1", signed_only), SecurityError);
  // A signed artifact pushed to the store loads under the same policy.
  (void)store.push(as_bytes(sign_artifact(test::artifact_bytes(*svc), key.secret_key)), "signed");
  EXPECT_NE(store.load(registry(), "signed", "latest", signed_only), nullptr);
}

TEST(SqliteStore, MigrateAllUpgradesOldVersionsOnceAndDryRunStoresNothing) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  (void)store.push(schema_v1_svc(), "svc");
  (void)store.push(as_bytes(test::artifact_bytes(*test::fitted_svc())), "svc");
  const auto dry = store.migrate_all(registry(), /*dry_run=*/true);
  ASSERT_EQ(dry.size(), 1u);
  EXPECT_EQ(dry[0].version, 1u);
  EXPECT_TRUE(dry[0].error.empty()) << dry[0].error;
  EXPECT_FALSE(dry[0].steps.empty());
  EXPECT_EQ(store.versions("svc").size(), 2u);
  const auto done = store.migrate_all(registry(), /*dry_run=*/false);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].new_version, 3u);
  EXPECT_EQ(store.inspect("svc", "3").schema_version, 2u);
  EXPECT_EQ(store.search({{"migrated_from", "svc@1"}}).size(), 1u);
  EXPECT_TRUE(store.migrate_all(registry(), /*dry_run=*/false).empty());  // nothing left to do
}

TEST(SqliteStore, MigrateAllStoresNothingWhenAnyVersionFails) {
  const fs::path dir = test::temp_dir();
  ModelStore store = test::open_sqlite_store(dir);
  (void)store.push(schema_v1_svc(), "svc");
  Header unknown;
  unknown.backend = "json";
  unknown.type_tag = "nowhere.Unknown";
  unknown.schema_version = 1;
  unknown.types = {{"nowhere.Unknown", 1}};
  (void)store.push(as_bytes(test::craft_artifact(unknown, "{}")), "stranger");
  const auto report = store.migrate_all(registry(), /*dry_run=*/false);
  ASSERT_EQ(report.size(), 2u);
  EXPECT_FALSE(report[0].error.empty() && report[1].error.empty());
  for (const MigrationOutcome& o : report) EXPECT_EQ(o.new_version, 0u);
  EXPECT_EQ(store.versions("svc").size(), 1u);
}

TEST(StoreNames, ParsesLocationsAndRefusesMalformedOnes) {
  const ModelLocation loc = parse_model_location("sqlite:///srv/m.db#churn@production");
  EXPECT_EQ(loc.store, "sqlite:///srv/m.db");
  EXPECT_EQ(loc.name, "churn");
  EXPECT_EQ(loc.ref, "production");
  EXPECT_EQ(parse_model_location("sqlite:///srv/m.db#churn").ref, "latest");
  EXPECT_EQ(parse_store_uri("sqlite:///srv/m.db").location, "/srv/m.db");
  EXPECT_FALSE(is_model_location("model.bin"));
  EXPECT_THROW((void)parse_model_location("sqlite:///m.db#bad name@1"), UsageError);
  EXPECT_THROW((void)parse_store_uri("models.db"), UsageError);
  EXPECT_THROW((void)ModelStore::open(registry(), "nosuch:///x"), CompatibilityError);
}

}  // namespace
