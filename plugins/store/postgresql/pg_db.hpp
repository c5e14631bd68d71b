#pragma once

// A thin RAII layer over libpq: one connection, statements with bound parameters (the only way
// user data reaches SQL) and results. A lost or refused connection, a server shutting down, a
// deadlock or a serialization failure become StoreError(kStoreUnavailable): retryable. Messages
// name the server by its URI with any password removed.

#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist::postgresql {

/// A bound parameter: text, or binary bytes (bytea).
struct Param {
  std::string_view data;
  bool binary = false;
};

class Result {
 public:
  explicit Result(PGresult* result);
  [[nodiscard]] int rows() const { return PQntuples(result_.get()); }
  [[nodiscard]] bool is_null(int row, int column) const;
  [[nodiscard]] std::string text(int row, int column) const;
  [[nodiscard]] std::int64_t integer(int row, int column) const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

class Connection {
 public:
  /// Connects to `uri` (a libpq connection URI). Throws StoreError.
  explicit Connection(const std::string& uri);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs SQL written in this plugin with `params` bound to $1, $2, ...; results in text, or
  /// in binary with `binary_result` (bytea read as raw bytes).
  Result exec(const char* sql, const std::vector<Param>& params = {}, bool binary_result = false);
  /// Runs several statements written in this plugin (the schema); no parameters.
  void exec_script(const char* sql);
  /// Reconnects when the connection was lost (the server restarted); the call that noticed the
  /// loss has already thrown a retryable error.
  void ensure_connected();
  /// Ends a failed transaction; errors are ignored (a lost connection has none to end).
  void rollback_quietly() noexcept;
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  [[noreturn]] void fail(const PGresult* result, std::string_view what) const;

  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
  std::string name_;  // the URI without its password, for messages
};

/// BEGIN; rolled back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& db_;
  bool done_ = false;
};

/// The URI with the password of its user-info and any `password=` parameter replaced by "***".
[[nodiscard]] std::string redact(std::string_view uri);

std::string to_text(std::int64_t value);

}  // namespace mlpersist::postgresql
