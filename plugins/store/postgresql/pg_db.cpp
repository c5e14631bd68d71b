#include "pg_db.hpp"

#include <charconv>
#include <mlpersist/error.hpp>
#include <string>

namespace mlpersist::postgresql {
namespace {

// SQLSTATE classes and codes after which the same call may succeed: connection exceptions
// (08), the server shutting down or restarting (57P0x), insufficient resources (53), a
// serialization failure or deadlock (40001, 40P01).
bool retryable_state(std::string_view state) {
  return state.starts_with("08") || state.starts_with("57P0") || state.starts_with("53") ||
         state == "40001" || state == "40P01";
}

std::string first_line(const char* text) {
  std::string out = text != nullptr ? text : "";
  out.erase(0, out.find_first_not_of(" \n"));
  if (const auto nl = out.find('\n'); nl != std::string::npos) out.resize(nl);
  return out;
}

}  // namespace

std::string redact(std::string_view uri) {
  std::string out(uri);
  const auto start = out.find("://");
  if (start != std::string::npos) {
    const auto end = out.find_first_of("/?", start + 3);
    const auto at = out.rfind('@', end);
    if (at != std::string::npos && at > start) {
      const auto colon = out.find(':', start + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const auto end = out.find('&', p);
    out.replace(p + 9, (end == std::string::npos ? out.size() : end) - p - 9, "***");
  }
  return out;
}

std::string to_text(std::int64_t value) {
  return std::to_string(value);
}

Result::Result(PGresult* result) : result_(result, &PQclear) {}

bool Result::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Result::integer(int row, int column) const {
  const std::string t = text(row, column);
  std::int64_t value = 0;
  std::from_chars(t.data(), t.data() + t.size(), value);
  return value;
}

Connection::Connection(const std::string& uri)
    : conn_(PQconnectdb(uri.c_str()), &PQfinish), name_(redact(uri)) {
  if (!conn_) throw StoreError(ErrorCode::kIo, "postgresql store '" + name_ + "': out of memory");
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    throw StoreError(ErrorCode::kStoreUnavailable,
                     "postgresql store '" + name_ +
                         "': cannot connect: " + first_line(PQerrorMessage(conn_.get())) +
                         "; check that the server runs and the credentials (PGPASSWORD, "
                         "~/.pgpass), then retry");
  exec("SET client_min_messages = warning");
}

void Connection::ensure_connected() {
  if (PQstatus(conn_.get()) == CONNECTION_OK) return;
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    throw StoreError(ErrorCode::kStoreUnavailable,
                     "postgresql store '" + name_ + "': connection lost and not re-established: " +
                         first_line(PQerrorMessage(conn_.get())) + "; retry when the server is up");
}

Result Connection::exec(const char* sql, const std::vector<Param>& params, bool binary_result) {
  ensure_connected();
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const Param& p : params) {
    values.push_back(p.data.data());
    lengths.push_back(static_cast<int>(p.data.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  // Text parameters must be NUL-terminated for libpq; copies make sure of it.
  std::vector<std::string> texts;
  texts.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i)
    if (!params[i].binary) values[i] = texts.emplace_back(params[i].data).c_str();
  PGresult* raw =
      PQexecParams(conn_.get(), sql, static_cast<int>(params.size()), nullptr, values.data(),
                   lengths.data(), formats.data(), binary_result ? 1 : 0);
  Result result(raw);
  const ExecStatusType status = PQresultStatus(raw);
  if (raw == nullptr || (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK))
    fail(raw, "'" + first_line(sql) + "'");
  return result;
}

void Connection::exec_script(const char* sql) {
  ensure_connected();
  PGresult* raw = PQexec(conn_.get(), sql);
  const Result result(raw);
  if (raw == nullptr || PQresultStatus(raw) != PGRES_COMMAND_OK)
    fail(raw, "'" + first_line(sql) + "'");
}

void Connection::rollback_quietly() noexcept {
  if (PQstatus(conn_.get()) == CONNECTION_OK) PQclear(PQexec(conn_.get(), "ROLLBACK"));
}

void Connection::fail(const PGresult* result, std::string_view what) const {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const bool lost = PQstatus(conn_.get()) != CONNECTION_OK;
  const std::string message = first_line(PQerrorMessage(conn_.get()));
  if (lost || (state != nullptr && retryable_state(state)))
    throw StoreError(ErrorCode::kStoreUnavailable,
                     "postgresql store '" + name_ + "': " + std::string(what) +
                         " failed: " + message + "; the server is unavailable or busy, retry");
  throw StoreError(ErrorCode::kIo, "postgresql store '" + name_ + "': " + std::string(what) +
                                       " failed: " + message);
}

Transaction::Transaction(Connection& db) : db_(db) {
  db_.exec("BEGIN");
}

Transaction::~Transaction() {
  if (!done_) db_.rollback_quietly();
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace mlpersist::postgresql
