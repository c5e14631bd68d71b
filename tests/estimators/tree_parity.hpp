#pragma once

// Parity with scikit-learn's fitted trees (tests/data/gen_trees_references.py): a reference's
// parameters set on a fresh estimator, and node arrays compared to the last bit.

#include <gtest/gtest.h>

#include <mlpersist/value.hpp>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "tree.hpp"

namespace mlpersist::test {

/// The reference's `params` object as a Map for set_params (numbers, strings, booleans, null).
Map reference_params(const rapidjson::Value& params);

/// A fresh estimator of the reference's type with its parameters, fitted on its data set.
std::shared_ptr<Estimator> fit_like_reference(const rapidjson::Document& ref);

/// Every node array of `tree` equals the reference tree's ("what" names it): the structure
/// (children, features, thresholds, sample counts) exactly, impurities and values bit for bit,
/// or within `tol` relative (of max(1, |x|)) when tol > 0.
void expect_same_tree(const tree::Tree& tree, const rapidjson::Value& ref, const std::string& what,
                      double tol = 0);

/// Each of `trees` equals the reference's `trees`, in order.
void expect_same_trees(const std::vector<const tree::Tree*>& trees, const rapidjson::Document& ref,
                       double tol = 0);

}  // namespace mlpersist::test
