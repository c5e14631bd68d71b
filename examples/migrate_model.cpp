// Migrating an old model file: what `mlpersist migrate` does, step by step, with the API.
//
//   migrate_model OLD.mlp OUT_DIR
//
// OLD.mlp was saved by an earlier release (tests/fixtures/schema-v1/ holds such files). The
// example reads its header without running plugin code, shows the document as it was saved,
// upgrades it with the hooks the plugins registered, checks that the model loads and predicts,
// writes it at today's schema versions, and finally writes a copy an older deployment can read.

#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/persist.hpp>

#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;
using namespace mlpersist;

namespace {

void print_types(const char* label, const Header& h) {
  std::cout << label << ":";
  for (const auto& [tag, version] : h.types) std::cout << " " << tag << " v" << version;
  std::cout << "\n";
}

int run(const fs::path& old_file, const fs::path& out_dir) {
  const Registry registry = Registry::with_default_plugins();

  // 1. The header alone says what the file holds and which schema versions wrote it.
  print_types("saved with", inspect(old_file));

  // 2. The document exactly as it was saved, for comparison (migrate = false).
  LoadOptions as_saved;
  as_saved.migrate = false;
  const Document old_doc = read_document(registry, old_file, as_saved);

  // 3. Loading upgrades every typed document, nested ones too, and records each step.
  const Document doc = read_document(registry, old_file);
  print_types("upgraded to", doc.header);
  for (const Value& step : doc.header.metadata.as_map().find("migrations")->as_array())
    std::cout << "  applied " << to_json_text(step) << "\n";

  // 4. Today's code validates the upgraded state like any other state it loads.
  const auto model = instantiate(registry, doc);
  std::cout << "loaded " << model->repr() << "\n";

  // 5. Written back at today's versions (atomically), keeping the metadata and the history.
  fs::create_directories(out_dir);
  write_document(registry, doc, doc.header.backend, out_dir / "current.mlp");
  print_types("rewrote current.mlp at", inspect(out_dir / "current.mlp"));

  // 6. For a deployment still on the old plugins: downgrade hooks write the old schemas again
  //    (`mlpersist migrate --to-version N --type TAG`).
  Document old_again = doc;
  for (const auto& [tag, version] : old_doc.header.types)
    if (version < old_again.header.types.at(tag))
      downgrade_document(registry, old_again, tag, version);
  write_document(registry, old_again, doc.header.backend, out_dir / "for_old_deployments.mlp");
  std::cout << "for_old_deployments.mlp equals the file as first saved: "
            << (old_again.root == old_doc.root ? "yes" : "no") << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: migrate_model OLD.mlp OUT_DIR\n";
    return 2;
  }
  try {
    return run(argv[1], argv[2]);
  } catch (const Error& e) {
    std::cerr << "migrate_model: " << e.what() << "\n";
    return 1;
  }
}
