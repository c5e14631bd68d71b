#pragma once

// Building blocks of schema migration hooks (see registry.hpp's MigrationFunction): a hook
// returns a new typed document, so it copies the input's maps (tensors share their data, so
// copies are cheap) and replaces only what its schema step changes.

#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <string_view>
#include <utility>

namespace mlpersist::common {

/// Sets `key` of `map` to `value`: in place when present (the order of keys is part of what a
/// document compares equal to), else at the end.
inline void set_member(Map& map, std::string_view key, Value value) {
  if (Value* slot = map.find(key)) {
    *slot = std::move(value);
    return;
  }
  map.insert(std::string(key), std::move(value));
}

/// A copy of the map at `node` with `key` set to `value` (see set_member).
[[nodiscard]] inline Map with_member(const Node& node, std::string_view key, Value value) {
  Map copy = node.as_map();
  set_member(copy, key, std::move(value));
  return copy;
}

/// The typed `document` with its state replaced by `rewrite(state)`, or the document itself
/// when it was saved unfitted (null state): schema changes only concern fitted state.
template <class Rewrite>
[[nodiscard]] Value rewrite_state(const Node& document, Rewrite&& rewrite) {
  const Node state = document["state"];
  if (state.value().is_null()) return document.value();
  return with_member(document, "state", std::forward<Rewrite>(rewrite)(state));
}

}  // namespace mlpersist::common
