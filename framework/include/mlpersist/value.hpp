#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <mlpersist/export.hpp>
#include <mlpersist/tensor.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mlpersist {

class Value;

/// Raw bytes (a distinct kind from a string, which must be valid UTF-8).
using Bytes = std::vector<std::uint8_t>;
/// An ordered sequence of values.
using Array = std::vector<Value>;

/// The hash Map indexes its keys with: SipHash-2-4 under a key drawn at random once per process.
/// A fixed, public hash (std::hash) lets a file choose keys that all collide, which makes
/// inserting n of them O(n^2); without the key nobody can compute collisions in advance.
/// Exposed so that tests can check that it spreads keys chosen against std::hash.
[[nodiscard]] MLPERSIST_API std::uint64_t map_key_hash(std::string_view key) noexcept;

/// A map with string keys that keeps insertion order (documents diff and print stably).
/// Keys are unique: insert() refuses a duplicate. Large maps keep a hash index (map_key_hash)
/// so that a decoder inserting n keys from hostile input stays O(n).
class MLPERSIST_API Map {
 public:
  using Entry = std::pair<std::string, Value>;

  Map() = default;
  Map(const Map& other);
  Map(Map&&) noexcept = default;
  Map& operator=(const Map& other);
  Map& operator=(Map&&) noexcept = default;
  ~Map();

  /// Adds a key at the end. Throws SchemaError if the key is already present.
  Map& insert(std::string key, Value value);
  /// Pointer to the value, or nullptr when absent.
  [[nodiscard]] const Value* find(std::string_view key) const noexcept;
  [[nodiscard]] Value* find(std::string_view key) noexcept;
  [[nodiscard]] bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
  /// Removes a key; returns whether it was present.
  bool erase(std::string_view key);
  // Defined below Value: vector's members are constexpr in C++20, and clang instantiates them
  // where they are defined, which needs Value complete.
  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] bool empty() const noexcept;
  /// Mutable iteration hands out each key as const: a key changed in place would bypass the
  /// duplicate check and leave the index stale (erase and insert to rename).
  class MutableIterator;
  [[nodiscard]] std::vector<Entry>::const_iterator begin() const noexcept;
  [[nodiscard]] std::vector<Entry>::const_iterator end() const noexcept;
  [[nodiscard]] MutableIterator begin() noexcept;
  [[nodiscard]] MutableIterator end() noexcept;
  void reserve(std::size_t n);

  friend MLPERSIST_API bool operator==(const Map& a, const Map& b);

 private:
  [[nodiscard]] std::ptrdiff_t position(std::string_view key) const noexcept;

  void rebuild_index();

  // Defined in value.cpp, so the hash stays out of every includer; the deleter is out of line
  // too, so that code inlined elsewhere never needs Index complete.
  struct Index;
  struct IndexDeleter {
    void operator()(Index* index) const noexcept;
  };

  std::vector<Entry> entries_;
  // Only maps above kIndexThreshold entries have one; behind a pointer, so that a Value (and
  // each of the many small maps of a document) stays small.
  std::unique_ptr<Index, IndexDeleter> index_;
};

/// The kinds of Value, in the order of Value::Storage's alternatives.
enum class Kind : std::uint8_t {
  kNull,
  kBool,
  kInt,
  kUInt,
  kDouble,
  kString,
  kBytes,
  kArray,
  kMap,
  kTensor
};

/// "null", "bool", "int", ...: for error messages.
MLPERSIST_API std::string_view kind_name(Kind kind) noexcept;

/// The one document model every backend speaks and every estimator writes its state into.
class MLPERSIST_API Value {
 public:
  using Storage = std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double,
                               std::string, Bytes, Array, Map, Tensor>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  template <std::signed_integral T>
  requires(!std::same_as<T, bool>) Value(T i) : v_(static_cast<std::int64_t>(i)) {}
  /// Unsigned values that fit int64 are stored as kInt (formats such as msgpack do not keep the
  /// distinction, and documents must compare equal after a round trip); kUInt holds the rest.
  template <std::unsigned_integral T>
  requires(!std::same_as<T, bool>) Value(T u) {
    if (static_cast<std::uint64_t>(u) <= static_cast<std::uint64_t>(INT64_MAX))
      v_ = static_cast<std::int64_t>(u);
    else
      v_ = static_cast<std::uint64_t>(u);
  }
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Bytes b) : v_(std::move(b)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Map m) : v_(std::move(m)) {}
  Value(Tensor t) : v_(std::move(t)) {}

  [[nodiscard]] Kind kind() const noexcept { return static_cast<Kind>(v_.index()); }
  [[nodiscard]] bool is_null() const noexcept { return kind() == Kind::kNull; }

  /// Typed access; throws SchemaError naming the expected and actual kinds.
  [[nodiscard]] bool as_bool() const { return get<bool>(Kind::kBool); }
  [[nodiscard]] std::int64_t as_int() const { return get<std::int64_t>(Kind::kInt); }
  [[nodiscard]] std::uint64_t as_uint() const { return get<std::uint64_t>(Kind::kUInt); }
  [[nodiscard]] double as_double() const { return get<double>(Kind::kDouble); }
  [[nodiscard]] const std::string& as_string() const { return get<std::string>(Kind::kString); }
  [[nodiscard]] const Bytes& as_bytes() const { return get<Bytes>(Kind::kBytes); }
  [[nodiscard]] const Array& as_array() const { return get<Array>(Kind::kArray); }
  [[nodiscard]] const Map& as_map() const { return get<Map>(Kind::kMap); }
  [[nodiscard]] const Tensor& as_tensor() const { return get<Tensor>(Kind::kTensor); }
  [[nodiscard]] Array& as_array() { return get<Array>(Kind::kArray); }
  [[nodiscard]] Map& as_map() { return get<Map>(Kind::kMap); }

  [[nodiscard]] const Storage& storage() const noexcept { return v_; }

  friend MLPERSIST_API bool operator==(const Value& a, const Value& b);

 private:
  [[noreturn]] void throw_kind(Kind expected) const;
  template <class T>
  const T& get(Kind expected) const {
    if (const T* p = std::get_if<T>(&v_)) return *p;
    throw_kind(expected);
  }
  template <class T>
  T& get(Kind expected) {
    if (T* p = std::get_if<T>(&v_)) return *p;
    throw_kind(expected);
  }

  Storage v_;
};

inline std::size_t Map::size() const noexcept {
  return entries_.size();
}
inline bool Map::empty() const noexcept {
  return entries_.empty();
}
inline std::vector<Map::Entry>::const_iterator Map::begin() const noexcept {
  return entries_.begin();
}
inline std::vector<Map::Entry>::const_iterator Map::end() const noexcept {
  return entries_.end();
}
/// Yields (const key, mutable value) pairs; bind them with `auto&& [key, value]`.
class Map::MutableIterator {
 public:
  using difference_type = std::ptrdiff_t;
  using value_type = std::pair<const std::string&, Value&>;

  MutableIterator() = default;
  explicit MutableIterator(std::vector<Entry>::iterator it) : it_(it) {}
  value_type operator*() const noexcept { return {it_->first, it_->second}; }
  MutableIterator& operator++() noexcept {
    ++it_;
    return *this;
  }
  MutableIterator operator++(int) noexcept { return MutableIterator(it_++); }
  friend bool operator==(const MutableIterator&, const MutableIterator&) = default;

 private:
  std::vector<Entry>::iterator it_;
};

inline Map::MutableIterator Map::begin() noexcept {
  return MutableIterator(entries_.begin());
}
inline Map::MutableIterator Map::end() noexcept {
  return MutableIterator(entries_.end());
}
inline void Map::reserve(std::size_t n) {
  entries_.reserve(n);
}

}  // namespace mlpersist
