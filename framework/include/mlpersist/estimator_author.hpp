#pragma once

// What an estimator plugin is written against: the Estimator interface and its parameters,
// nested documents, reading state back through path-aware Nodes, the Eigen views of tensors,
// and the plugin descriptor and Registrar. (docs/estimator-guide.md walks through one.)

#include <mlpersist/context.hpp>
#include <mlpersist/eigen.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/params.hpp>
#include <mlpersist/plugin.hpp>
#include <mlpersist/tensor.hpp>
#include <mlpersist/text.hpp>
#include <mlpersist/value.hpp>
