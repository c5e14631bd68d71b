#pragma once

// Helpers shared by the test suite: the repository's data files, scikit-learn's reference
// results, and a registry loaded with the plugins of this build.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <mlpersist/dataset.hpp>
#include <mlpersist/envelope.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/registry.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist::test {

/// tests/data (override with $MLPERSIST_TEST_DATA).
std::filesystem::path data_dir();
/// tests/data/<name>.csv with its `target` column.
Dataset load_dataset(const std::string& name);
/// tests/data/references/<name>.json (e.g. "iris__svc_rbf_scale").
rapidjson::Document load_reference(const std::string& name);

/// A JSON array of numbers (1-D) or of arrays (2-D) as a matrix; 1-D gives one column.
Matrix json_matrix(const rapidjson::Value& v);
Vector json_vector(const rapidjson::Value& v);

/// A registry with every plugin of this build; fails the test if any plugin failed to load.
const Registry& registry();
/// Every backend name of this build ("binary", "json", "msgpack").
std::vector<std::string> backend_names();

/// A fresh, empty directory for this test (removed at exit of the process).
std::filesystem::path temp_dir();

/// Bit-for-bit equality of two matrices (NaN payloads and -0.0 included).
::testing::AssertionResult bit_identical(const Matrix& a, const Matrix& b);
::testing::AssertionResult bit_identical(const Vector& a, const Vector& b);

/// Saves `estimator` with every backend to bytes, a stream and a file (loaded mapped and read),
/// loads each back and checks that every method the estimator supports gives bit-identical
/// outputs on X, and that the restored model saves the same document: parameters, input
/// signature and every state value (tensors bit for bit).
void expect_round_trips_bit_identical(const Estimator& estimator, const Matrix& X);

/// A complete artifact around `payload` with correct checksums, as anyone can write one: the
/// header's layout fields are filled in.
std::string craft_artifact(Header header, std::string_view payload);

/// Encodes `value` with the named backend (a payload, without the envelope).
std::string encode_payload(std::string_view backend, const Value& value);
/// Decodes a payload with the named backend as if it sat at byte 64 of "model.mlp".
Value decode_payload(std::string_view backend, std::string_view payload, const Limits& limits = {});

/// Saves `fitted`, replaces state.<key> in the decoded document and expects instantiate() to
/// refuse it with a SchemaError naming 'state.<blamed>' (the key itself unless given).
void expect_rejected_edit(const Estimator& fitted, const std::string& key, Value replacement,
                          std::string blamed = "");
/// The same for <section>.<key> ("params", "state"), expecting a SchemaError naming `blamed` (a
/// whole document path); returns its message.
std::string expect_rejected_edit_in(const Estimator& fitted, const std::string& section,
                                    const std::string& key, Value replacement,
                                    const std::string& blamed);

/// Runs the mlpersist CLI with `args` (shell-quoted by the caller); returns its exit code and
/// fills `output` with stdout (and `error` with stderr).
int run_cli(const std::string& args, std::string* output = nullptr, std::string* error = nullptr);

/// Runs a shell command line the same way (its exit code, or -1 when it did not exit).
int run_command(const std::string& command, std::string* output = nullptr,
                std::string* error = nullptr);

}  // namespace mlpersist::test
