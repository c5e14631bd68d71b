#pragma once

// Everything an application needs to save, load, inspect, verify, sign, migrate and store
// models: the public API of mlpersist for its users. Estimator authors include
// <mlpersist/estimator_author.hpp>, format backend authors <mlpersist/backend_author.hpp>; the
// split is described in docs/design.md ("Public headers by audience").

#include <mlpersist/dataset.hpp>
#include <mlpersist/document.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>
#include <mlpersist/progress.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/signature.hpp>
#include <mlpersist/spec.hpp>
#include <mlpersist/store.hpp>
#include <mlpersist/table.hpp>
#include <mlpersist/verify.hpp>
#include <mlpersist/version.hpp>
