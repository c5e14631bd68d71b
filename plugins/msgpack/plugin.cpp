#include <mlpersist/plugin.hpp>

#include "msgpack_backend.hpp"

MLPERSIST_PLUGIN(msgpack, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_backend<mlpersist::msgpack_format::MsgpackBackend>();
})
