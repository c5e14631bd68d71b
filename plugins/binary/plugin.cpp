#include <mlpersist/plugin.hpp>

#include "binary_backend.hpp"

using mlpersist::binary::BinaryBackend;

MLPERSIST_PLUGIN(binary, "1.0.0", [](mlpersist::Registrar& r) { r.add_backend<BinaryBackend>(); })
