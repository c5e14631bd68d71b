#pragma once

#include <boost/dll/alias.hpp>
#include <cstdint>
#include <mlpersist/registry.hpp>
#include <mlpersist/version.hpp>

namespace mlpersist {

/// Bumped whenever a change to the framework's public C++ types (Value, Estimator, Backend,
/// Registrar, ...) breaks binary compatibility with plugins built earlier. The loader refuses a
/// plugin built for another ABI before calling any of its code beyond the descriptor.
// 2: migrations, min_reader_version, Limits::max_values. 3: Tensor's lazy check,
// Backend::verifies_ranges, DecodeInput::integrity (container 2). 4: Map's index behind a pointer.
// 5: store plugins (Registrar::add_store, StoreBackend), PluginInfo::stores; Estimator::fit_cost;
// Map's index type private to the framework. 6: Estimator::accepts_missing.
// 8: Estimator::transform_into / do_transform_into; Table shares its columns. 9: the Matrix
// inputs of Estimator (public and do_*) are MatrixView, so borrowed buffers pass uncopied.
inline constexpr std::uint32_t kPluginAbiVersion = 9;

/// What a plugin's single exported entry returns. The first two fields never move, so any
/// future loader can read them to tell an old plugin from a new one.
struct PluginDescriptor {
  std::uint32_t abi_version;
  std::uint32_t descriptor_size;
  const char* name;
  const char* version;
  const char* framework_version;  ///< the framework the plugin was built against
  RegisterFunction register_function;
};

/// Name of the exported entry (a Boost.DLL alias).
inline constexpr const char* kPluginEntry = "mlpersist_plugin";

}  // namespace mlpersist

/// Defines a plugin's one exported entry. No static initialisers register anything: the loader
/// checks the descriptor, then calls the register function.
///
///   MLPERSIST_PLUGIN(svm, "1.0.0", [](mlpersist::Registrar& r) { r.add_estimator<SVC>(); })
#define MLPERSIST_PLUGIN(NAME, VERSION, ...)                                                     \
  namespace {                                                                                    \
  const ::mlpersist::PluginDescriptor* mlpersist_plugin_entry() {                                \
    static const ::mlpersist::PluginDescriptor descriptor{::mlpersist::kPluginAbiVersion,        \
                                                          sizeof(::mlpersist::PluginDescriptor), \
                                                          #NAME,                                 \
                                                          VERSION,                               \
                                                          MLPERSIST_VERSION_STRING,              \
                                                          +(__VA_ARGS__)};                       \
    return &descriptor;                                                                          \
  }                                                                                              \
  }                                                                                              \
  BOOST_DLL_ALIAS(mlpersist_plugin_entry, mlpersist_plugin)
