#pragma once

// The small model: an iris SVC round trip (save then load, in memory and through a file) against
// cereal's archive of the same arrays, and the bare binary backend on the prepared document.

#include <filesystem>
#include <mlpersist/registry.hpp>

#include "harness.hpp"

namespace bench {

void add_small_rows(Harness& h, const mlpersist::Registry& registry,
                    const std::filesystem::path& dir);

}  // namespace bench
