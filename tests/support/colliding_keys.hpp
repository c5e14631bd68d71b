#pragma once

// Keys chosen against libstdc++'s std::hash<std::string_view> (64-bit MurmurHash2 with a fixed,
// public seed), as an attacker writing a hostile file would choose them: the hash-flooding
// tests show that they all collide there and that mlpersist's keyed map index spreads them.

#include <cstddef>
#include <string>
#include <vector>

namespace mlpersist::test {

/// `n` distinct 16-byte ASCII keys (no NUL; control characters may occur) with one and the same
/// std::hash value.
std::vector<std::string> std_hash_colliding_keys(std::size_t n);

}  // namespace mlpersist::test
