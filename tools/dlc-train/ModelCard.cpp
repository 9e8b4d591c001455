//===- ModelCard.cpp - What it takes to score with a trained checkpoint ---===//

#include "ModelCard.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dlc::tools {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char *kFormat = "dlc-model-card";
constexpr int kVersion = 1;

const char *combinerName(models::Combiner combiner) {
  switch (combiner) {
  case models::Combiner::Sum:
    return "sum";
  case models::Combiner::Mean:
    return "mean";
  case models::Combiner::Max:
    return "max";
  }
  return "mean";
}

Json sparseJson(const models::SparseFeat &feature) {
  return {{"vocabulary_size", feature.vocabulary_size()},
          {"embedding_dim", feature.embedding_dim()},
          {"embedding_name", feature.embedding_name()}};
}

Json columnJson(const models::FeatureColumn &column) {
  if (const auto *dense = std::get_if<models::DenseFeat>(&column))
    return {{"kind", "dense"},
            {"name", dense->name()},
            {"dimension", dense->dimension()}};
  if (const auto *sparse = std::get_if<models::SparseFeat>(&column)) {
    Json json = {{"kind", "sparse"}, {"name", sparse->name()}};
    json.update(sparseJson(*sparse));
    return json;
  }
  const auto &list = std::get<models::VarLenSparseFeat>(column);
  Json json = {{"kind", "id_list"},
               {"name", list.name()},
               {"maxlen", list.maxlen()},
               {"combiner", combinerName(list.combiner())}};
  json.update(sparseJson(list.sparse()));
  return json;
}

/// Reads the card's JSON, throwing dlc::Error("<path>: <what>").
class CardReader {
public:
  explicit CardReader(std::string path) : path(std::move(path)) {}

  [[noreturn]] void fail(const std::string &what) const {
    throw Error("load_model_card: " + path + ": " + what);
  }

  const Json &at(const Json &object, const std::string &key,
                 const std::string &where) const {
    if (!object.is_object() || !object.contains(key))
      fail(where + "has no \"" + key + "\"");
    return object.at(key);
  }
  std::string string(const Json &object, const std::string &key,
                     const std::string &where = "") const {
    const Json &value = at(object, key, where);
    if (!value.is_string())
      fail(where + "\"" + key + "\" is not a string");
    return value.get<std::string>();
  }
  int64_t integer(const Json &object, const std::string &key,
                  const std::string &where = "") const {
    const Json &value = at(object, key, where);
    if (!value.is_number_integer())
      fail(where + "\"" + key + "\" is not an integer");
    return value.get<int64_t>();
  }
  double number(const Json &object, const std::string &key,
                const std::string &where = "") const {
    const Json &value = at(object, key, where);
    if (!value.is_number())
      fail(where + "\"" + key + "\" is not a number");
    return value.get<double>();
  }

  models::SparseFeat sparse(const Json &json, const std::string &name,
                            const std::string &where) const {
    models::SparseFeat feature(name, integer(json, "vocabulary_size", where),
                               integer(json, "embedding_dim", where));
    feature.embedding_name(string(json, "embedding_name", where));
    return feature;
  }

  models::FeatureColumn column(const Json &json, size_t index) const {
    std::string where = "column " + std::to_string(index) + " ";
    std::string name = string(json, "name", where);
    where = "column " + std::to_string(index) + " (\"" + name + "\") ";
    std::string kind = string(json, "kind", where);
    if (kind == "dense")
      return models::DenseFeat(name, integer(json, "dimension", where));
    if (kind == "sparse")
      return sparse(json, name, where);
    if (kind == "id_list") {
      std::string combiner = string(json, "combiner", where);
      models::Combiner c = combiner == "sum"   ? models::Combiner::Sum
                           : combiner == "max" ? models::Combiner::Max
                           : combiner == "mean"
                               ? models::Combiner::Mean
                               : (fail(where + "has the unknown combiner \"" +
                                       combiner + "\" (known: sum, mean, max)"),
                                  models::Combiner::Mean);
      return models::VarLenSparseFeat(sparse(json, name, where),
                                      integer(json, "maxlen", where), c);
    }
    fail(where + "has the unknown kind \"" + kind +
         "\" (known: dense, sparse, id_list)");
  }

  const std::string path;
};

} // namespace

void save_model_card(const ModelCard &card, const std::string &dir) {
  Json columns = Json::array();
  for (const models::FeatureColumn &column : card.columns)
    columns.push_back(columnJson(column));
  const models::ModelConfig &c = card.config;
  Json json = {{"format", kFormat},
               {"version", kVersion},
               {"model", card.model},
               {"data", card.data},
               {"dense_transform", card.dense_transform},
               {"config",
                {{"dnn_hidden_units", c.dnn_hidden_units()},
                 {"dnn_dropout", c.dnn_dropout()},
                 {"dnn_use_bn", c.dnn_use_bn()},
                 {"init_std", c.init_std()},
                 {"bilinear_type", c.bilinear_type()},
                 {"cross_num", c.cross_num()},
                 {"gru_type", c.gru_type()},
                 {"att_activation", c.att_activation()}}},
               {"columns", columns},
               {"vocabularies", "vocabularies.txt"}};
  std::filesystem::path base(dir);
  data::save_vocabularies(card.vocabularies,
                          (base / "vocabularies.txt").string());
  std::string path = (base / "model.json").string();
  std::ofstream file(path);
  file << json.dump(2) << "\n";
  if (!file.flush())
    throw Error("save_model_card: cannot write " + path);
}

ModelCard load_model_card(const std::string &path) {
  CardReader reader(path);
  std::ifstream file(path);
  if (!file)
    reader.fail("cannot open the file");
  std::stringstream text;
  text << file.rdbuf();
  Json json = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded())
    reader.fail("is not JSON");
  if (!json.is_object() || !json.contains("format") ||
      json["format"] != kFormat)
    reader.fail("is not a dlc model card (no \"format\": \"" +
                std::string(kFormat) + "\")");
  if (reader.integer(json, "version") != kVersion)
    reader.fail("has version " + json["version"].dump() +
                "; this dlc reads version " + std::to_string(kVersion));

  ModelCard card;
  card.model = reader.string(json, "model");
  card.data = reader.string(json, "data");
  card.dense_transform = reader.string(json, "dense_transform");
  if (card.dense_transform != "none" && card.dense_transform != "log1p")
    reader.fail("has the unknown dense_transform \"" + card.dense_transform +
                "\" (known: none, log1p)");
  const Json &config = reader.at(json, "config", "");
  const std::string in = "config ";
  const Json &units = reader.at(config, "dnn_hidden_units", in);
  if (!units.is_array())
    reader.fail("config \"dnn_hidden_units\" is not a list");
  std::vector<int64_t> tower;
  for (const Json &unit : units) {
    if (!unit.is_number_integer())
      reader.fail("config \"dnn_hidden_units\" holds a non-integer");
    tower.push_back(unit.get<int64_t>());
  }
  const Json &bn = reader.at(config, "dnn_use_bn", in);
  if (!bn.is_boolean())
    reader.fail("config \"dnn_use_bn\" is not true or false");
  card.config.dnn_hidden_units(tower)
      .dnn_dropout(reader.number(config, "dnn_dropout", in))
      .dnn_use_bn(bn.get<bool>())
      .init_std(reader.number(config, "init_std", in))
      .bilinear_type(reader.string(config, "bilinear_type", in))
      .cross_num(reader.integer(config, "cross_num", in))
      .gru_type(reader.string(config, "gru_type", in))
      .att_activation(reader.string(config, "att_activation", in));

  const Json &columns = reader.at(json, "columns", "");
  if (!columns.is_array() || columns.empty())
    reader.fail("\"columns\" is not a non-empty list");
  for (size_t i = 0; i < columns.size(); ++i)
    card.columns.push_back(reader.column(columns[i], i));

  std::filesystem::path vocabularies =
      std::filesystem::path(path).parent_path() /
      reader.string(json, "vocabularies");
  card.vocabularies = data::load_vocabularies(vocabularies.string());
  for (const models::FeatureColumn &column : card.columns)
    if (models::embedded_feature(column) &&
        !card.vocabularies.count(models::name_of(column)))
      reader.fail("column \"" + models::name_of(column) +
                  "\" has no "
                  "vocabulary in " +
                  vocabularies.string());
  return card;
}

std::shared_ptr<models::CtrModelImpl> make_model(const ModelCard &card) {
  return models::make_model(card.model, card.columns, card.config);
}

} // namespace dlc::tools
