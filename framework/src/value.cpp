#include <sodium.h>

#include <algorithm>
#include <array>
#include <mlpersist/error.hpp>
#include <mlpersist/value.hpp>
#include <unordered_map>

namespace mlpersist {
namespace {

constexpr std::size_t kIndexThreshold = 16;

using HashKey = std::array<unsigned char, crypto_shorthash_KEYBYTES>;

// Drawn once per process: an attacker who sees every file still cannot predict collisions.
const HashKey& hash_key() {
  static const HashKey key = [] {
    HashKey k{};
    if (sodium_init() < 0) std::abort();  // no random source: nothing can be trusted
    randombytes_buf(k.data(), k.size());
    return k;
  }();
  return key;
}

// Heterogeneous lookup: finding a string_view key builds no std::string.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept { return map_key_hash(key); }
};

}  // namespace

struct Map::Index : std::unordered_map<std::string, std::size_t, KeyHash, std::equal_to<>> {};

std::uint64_t map_key_hash(std::string_view key) noexcept {
  std::array<unsigned char, crypto_shorthash_BYTES> out{};
  crypto_shorthash(out.data(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   hash_key().data());
  std::uint64_t h = 0;
  for (unsigned char byte : out) h = (h << 8) | byte;
  return h;
}

std::string_view kind_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kUInt: return "uint";
    case Kind::kDouble: return "double";
    case Kind::kString: return "string";
    case Kind::kBytes: return "bytes";
    case Kind::kArray: return "array";
    case Kind::kMap: return "map";
    case Kind::kTensor: return "tensor";
  }
  return "unknown";
}

Map::Map(const Map& other) : entries_(other.entries_) {
  if (other.index_) index_.reset(new Index(*other.index_));
}

Map& Map::operator=(const Map& other) {
  if (this != &other) *this = Map(other);
  return *this;
}

void Map::IndexDeleter::operator()(Index* index) const noexcept {
  delete index;
}

Map::~Map() = default;

std::ptrdiff_t Map::position(std::string_view key) const noexcept {
  if (index_) {
    auto it = index_->find(key);
    return it == index_->end() ? -1 : static_cast<std::ptrdiff_t>(it->second);
  }
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [key](const Entry& e) { return e.first == key; });
  return it == entries_.end() ? -1 : it - entries_.begin();
}

void Map::rebuild_index() {
  index_.reset();
  if (entries_.size() <= kIndexThreshold) return;
  index_.reset(new Index());
  for (std::size_t i = 0; i < entries_.size(); ++i) index_->emplace(entries_[i].first, i);
}

Map& Map::insert(std::string key, Value value) {
  if (position(key) >= 0)
    throw SchemaError(ErrorCode::kMalformed, "duplicate map key '" + key + "'");
  entries_.emplace_back(std::move(key), std::move(value));
  if (index_)
    index_->emplace(entries_.back().first, entries_.size() - 1);
  else if (entries_.size() > kIndexThreshold)
    rebuild_index();
  return *this;
}

const Value* Map::find(std::string_view key) const noexcept {
  const std::ptrdiff_t i = position(key);
  return i < 0 ? nullptr : &entries_[static_cast<std::size_t>(i)].second;
}

Value* Map::find(std::string_view key) noexcept {
  return const_cast<Value*>(std::as_const(*this).find(key));
}

bool Map::erase(std::string_view key) {
  const std::ptrdiff_t i = position(key);
  if (i < 0) return false;
  entries_.erase(entries_.begin() + i);
  rebuild_index();
  return true;
}

bool operator==(const Map& a, const Map& b) {
  return a.entries_ == b.entries_;
}

bool operator==(const Value& a, const Value& b) {
  return a.v_ == b.v_;
}

void Value::throw_kind(Kind expected) const {
  throw SchemaError(ErrorCode::kSchemaMismatch, "expected " + std::string(kind_name(expected)) +
                                                    ", found " + std::string(kind_name(kind())));
}

}  // namespace mlpersist
