#include "svc_migrations.hpp"

#include "common/migration.hpp"
#include "svc.hpp"

namespace mlpersist::svm {

Value upgrade_svc_1_to_2(const Node& document) {
  const Node params = document["params"];
  return common::rewrite_state(document, [&](const Node& state) {
    const KernelSpec k =
        read_kernel(params["kernel"], state["_gamma"], params["degree"], params["coef0"]);
    Map next = state.as_map();
    next.erase("_gamma");
    next.insert("kernel_", kernel_to_value(k));
    return next;
  });
}

Value downgrade_svc_2_to_1(const Node& document) {
  const Node state = document["state"];
  if (state.value().is_null()) return document.value();
  const KernelSpec k = kernel_from_value(state["kernel_"]);
  Map params = document["params"].as_map();
  common::set_member(params, "kernel", kernel_name(k.kind));
  common::set_member(params, "degree", k.degree);
  common::set_member(params, "coef0", k.coef0);
  Map old_state = state.as_map();
  old_state.erase("kernel_");
  old_state.insert("_gamma", k.gamma);
  Map out = document.as_map();
  common::set_member(out, "params", std::move(params));
  common::set_member(out, "state", std::move(old_state));
  return out;
}

}  // namespace mlpersist::svm
