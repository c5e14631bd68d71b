#pragma once

// What the libFuzzer targets share: the registry of this build's plugins, and artifacts with
// their checksums made valid so that mutations reach the parsers behind them.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <mlpersist/registry.hpp>
#include <string>
#include <string_view>

namespace mlpersist::fuzz {

/// Every plugin of this build, loaded once (from LLVMFuzzerInitialize, so that libFuzzer sees
/// their coverage counters before it starts). Aborts if a plugin fails to load.
const Registry& registry();

/// `data` with the header checksum, and the payload checksum when the declared layout fits,
/// recomputed: an attacker computes them too, and a mismatch would stop every mutation at the
/// first check.
std::string with_valid_checksums(const std::uint8_t* data, std::size_t size);

/// Stops the run with a finding: `what` went wrong on an input that decoded.
[[noreturn]] void finding(std::string_view what);

/// `step()`'s result; any exception it throws is a finding: `what` must not fail once the input
/// got this far.
template <class Step>
decltype(auto) expect_no_error(std::string_view what, Step&& step) {
  try {
    return step();
  } catch (const std::exception& e) {
    finding(std::string(what) + " threw: " + e.what());
  } catch (...) {
    finding(std::string(what) + " threw something that is not a std::exception");
  }
}

}  // namespace mlpersist::fuzz
