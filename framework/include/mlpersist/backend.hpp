#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mlpersist/envelope.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/limits.hpp>
#include <mlpersist/value.hpp>
#include <span>
#include <string>
#include <string_view>

namespace mlpersist {

/// Where a backend writes its payload. Writes go straight to the destination (memory, stream or
/// file), so large tensors are never copied into an intermediate buffer.
class MLPERSIST_API Sink {
 public:
  virtual ~Sink();
  virtual void write(const void* data, std::size_t size) = 0;
  /// Bytes written to this sink so far, i.e. relative to the payload start.
  [[nodiscard]] virtual std::uint64_t position() const = 0;
};

/// The payload bytes handed to a decoder, with what it needs to report and to borrow.
struct DecodeInput {
  std::span<const std::byte> payload;
  /// File name (or "<bytes>", "<stream>") and the payload's offset in it, for error messages.
  std::string_view source;
  std::uint64_t payload_offset = 0;
  /// When set, the bytes outlive the call (a mapped file or a shared buffer) and tensors may
  /// borrow them instead of copying; `owner` keeps them alive.
  std::shared_ptr<const void> owner;
  Limits limits;
  /// Set only for backends whose verifies_ranges() is true, on loads that verify lazily (mapped
  /// files): the decoder must pass every byte range it reads through `integrity->verify` before
  /// using it, and give borrowed tensors lazy_range_check()s. Null: the payload was verified
  /// before decode() (or the caller turned verification off).
  std::shared_ptr<const PayloadIntegrity> integrity;
};

/// A format that turns a Value document into payload bytes and back (msgpack, JSON, binary).
/// Backends never see an estimator. Decoders must treat the payload as hostile: every length,
/// count and shape is checked against the remaining bytes and `limits` before allocating, and
/// every failure is a FormatError naming `source`, the byte offset and what to do.
class MLPERSIST_API Backend {
 public:
  virtual ~Backend();
  /// Stable name stored in every artifact's header ("binary", "json", "msgpack").
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// One line for `mlpersist plugins`.
  [[nodiscard]] virtual std::string_view description() const = 0;
  virtual void encode(const Value& document, Sink& out) const = 0;
  [[nodiscard]] virtual Value decode(const DecodeInput& input) const = 0;
  /// True when decode() honours DecodeInput::integrity, so a mapped load need not hash the whole
  /// payload up front. Backends that parse every byte anyway keep the default.
  [[nodiscard]] virtual bool verifies_ranges() const { return false; }
  /// True when encoding into a Sink that only counts costs little next to the real encoding (the
  /// payload is mostly tensor bytes passed through): a bytes save then sizes the payload first
  /// and allocates the result once. Otherwise (text formats) it encodes once, into pieces.
  [[nodiscard]] virtual bool sizes_cheaply() const { return false; }
};

/// A Sink that appends to a std::string.
class MLPERSIST_API StringSink final : public Sink {
 public:
  explicit StringSink(std::string& out) : out_(out), start_(out.size()) {}
  void write(const void* data, std::size_t size) override;
  [[nodiscard]] std::uint64_t position() const override { return out_.size() - start_; }

 private:
  std::string& out_;
  std::size_t start_;
};

}  // namespace mlpersist
