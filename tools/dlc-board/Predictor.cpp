//===- Predictor.cpp - Scores examples with a checkpoint ------------------===//
//
// An example arrives as JSON from the network: every field is checked and
// turned into the model's input row the way the data loaders do it — dense
// values through the card's transform, categorical values through their
// vocabulary (unknown ones to the OOV id 0), id lists padded with 0.
//
//===----------------------------------------------------------------------===//

#include "Board.h"

#include <cmath>
#include <filesystem>
#include <set>

namespace dlc::board {

namespace {

/// The most values of a vocabulary the form suggests.
constexpr int64_t kExamples = 20;
/// The most examples one request may score.
constexpr size_t kMaxInstances = 1024;

std::string fieldError(const std::string &name, const std::string &what) {
  return "field \"" + name + "\": " + what;
}

/// A categorical value as text: strings as they are, integers as digits.
std::optional<std::string> categoryText(const Json &value) {
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_number_integer() || value.is_number_unsigned())
    return value.dump();
  if (value.is_number_float()) {
    double number = value.get<double>();
    if (std::isfinite(number) && number == std::floor(number) &&
        std::fabs(number) < 1e15)
      return std::to_string(static_cast<int64_t>(number));
  }
  return std::nullopt;
}

/// An id list's values: a JSON array, or one string split at commas (at white
/// space when it has none). Not at '|': values may hold it (MovieLens's
/// genre sets, "Comedy|Romance").
std::vector<std::string> listValues(const std::string &name,
                                    const Json &value) {
  std::vector<std::string> values;
  if (value.is_array()) {
    for (const Json &item : value) {
      std::optional<std::string> text = categoryText(item);
      if (!text)
        throw BadRequest(fieldError(
            name, "expected a list of strings or integers, got an element " +
                      item.dump()));
      values.push_back(*text);
    }
    return values;
  }
  if (!value.is_string())
    throw BadRequest(
        fieldError(name, "expected a list or a comma-separated string, got " +
                             std::string(value.type_name())));
  const std::string &text = value.get_ref<const std::string &>();
  bool commas = text.find(',') != std::string::npos;
  std::string current;
  for (char c : text + ",") {
    bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (c == ',' || (!commas && space)) {
      // Values are trimmed: "a, b" is "a" and "b".
      size_t begin = current.find_first_not_of(" \t\r\n");
      if (begin != std::string::npos)
        values.push_back(current.substr(
            begin, current.find_last_not_of(" \t\r\n") - begin + 1));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  return values;
}

double denseValue(const std::string &name, const Json &value) {
  double number;
  if (value.is_number()) {
    number = value.get<double>();
  } else if (value.is_string()) {
    const std::string &text = value.get_ref<const std::string &>();
    char *end = nullptr;
    number = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
      throw BadRequest(
          fieldError(name, "expected a number, got \"" + text + "\""));
  } else {
    throw BadRequest(fieldError(name, "expected a number, got " +
                                          std::string(value.type_name())));
  }
  if (!std::isfinite(number))
    throw BadRequest(fieldError(name, "expected a finite number"));
  return number;
}

} // namespace

Predictor::Predictor(const std::string &checkpoint,
                     const std::string &card_path)
    : checkpointName(std::filesystem::path(checkpoint).filename().string()),
      info(tools::load_model_card(card_path)), net(tools::make_model(info)) {
  load(*net, checkpoint);
  net->eval();
  width = models::FeatureIndex(info.columns).width();
}

Json Predictor::schema() const {
  Json fields = Json::array();
  for (const models::FeatureColumn &column : info.columns) {
    const std::string &name = models::name_of(column);
    Json field = {{"name", name}};
    if (const auto *dense = std::get_if<models::DenseFeat>(&column)) {
      field["kind"] = "dense";
      field["default"] = 0;
      if (dense->dimension() > 1)
        field["dimension"] = dense->dimension();
      if (info.dense_transform == "log1p")
        field["description"] = "a raw count: log(1 + max(x, 0)) is applied";
    } else {
      const auto *list = std::get_if<models::VarLenSparseFeat>(&column);
      field["kind"] = list ? "id_list" : "categorical";
      if (list)
        field["maxlen"] = list->maxlen();
      const data::Vocabulary &vocabulary = *info.vocabularies.at(name);
      field["vocabulary_size"] = vocabulary.size();
      Json examples = Json::array();
      for (int64_t id = 1; id < std::min(vocabulary.size(), kExamples + 1);
           ++id)
        examples.push_back(std::string(vocabulary.value(id)));
      field["examples"] = examples;
    }
    fields.push_back(std::move(field));
  }
  return {{"model", info.model},
          {"checkpoint", checkpointName},
          {"data", info.data},
          {"fields", fields}};
}

std::vector<float> Predictor::row(const Json &example, Json &unknown,
                                  Json &defaulted) const {
  if (!example.is_object())
    throw BadRequest("an example must be a JSON object of field name -> "
                     "value, not " +
                     std::string(example.type_name()));
  std::set<std::string> known;
  for (const models::FeatureColumn &column : info.columns)
    known.insert(models::name_of(column));
  for (const auto &[key, value] : example.items())
    if (!known.count(key))
      throw BadRequest("unknown field \"" + key + "\" (the model's fields: " +
                       [&] {
                         std::string names;
                         for (const models::FeatureColumn &c : info.columns)
                           names +=
                               (names.empty() ? "" : ", ") + models::name_of(c);
                         return names;
                       }() +
                       ")");

  std::vector<float> x;
  x.reserve(static_cast<size_t>(width));
  for (const models::FeatureColumn &column : info.columns) {
    const std::string &name = models::name_of(column);
    bool given = example.contains(name) && !example.at(name).is_null();
    if (!given)
      defaulted.push_back(name);
    if (const auto *dense = std::get_if<models::DenseFeat>(&column)) {
      std::vector<double> values(static_cast<size_t>(dense->dimension()), 0);
      if (given) {
        const Json &value = example.at(name);
        if (dense->dimension() == 1 && !value.is_array()) {
          values[0] = denseValue(name, value);
        } else {
          if (!value.is_array() ||
              value.size() != static_cast<size_t>(dense->dimension()))
            throw BadRequest(fieldError(
                name,
                "expected " + std::to_string(dense->dimension()) + " numbers"));
          for (size_t i = 0; i < values.size(); ++i)
            values[i] = denseValue(name, value[i]);
        }
      }
      for (double v : values)
        x.push_back(static_cast<float>(info.dense_transform == "log1p"
                                           ? std::log1p(std::max(v, 0.0))
                                           : v));
      continue;
    }
    const data::Vocabulary &vocabulary = *info.vocabularies.at(name);
    if (const auto *list = std::get_if<models::VarLenSparseFeat>(&column)) {
      std::vector<std::string> values;
      if (given)
        values = listValues(name, example.at(name));
      if (static_cast<int64_t>(values.size()) > list->maxlen())
        throw BadRequest(
            fieldError(name, "holds " + std::to_string(values.size()) +
                                 " values; the model takes at most " +
                                 std::to_string(list->maxlen())));
      bool anyUnknown = false;
      for (const std::string &value : values) {
        int64_t id = vocabulary.id(value);
        anyUnknown |= id == data::Vocabulary::kOovId;
        x.push_back(static_cast<float>(id));
      }
      x.resize(x.size() + static_cast<size_t>(list->maxlen()) - values.size(),
               0.0f);
      if (anyUnknown)
        unknown.push_back(name);
      continue;
    }
    int64_t id = data::Vocabulary::kOovId;
    if (given) {
      std::optional<std::string> text = categoryText(example.at(name));
      if (!text)
        throw BadRequest(
            fieldError(name, "expected a string, got " +
                                 std::string(example.at(name).type_name())));
      id = vocabulary.id(*text);
      if (id == data::Vocabulary::kOovId)
        unknown.push_back(name);
    }
    x.push_back(static_cast<float>(id));
  }
  return x;
}

Json Predictor::predict(const Json &body) {
  bool batch = body.is_object() && body.contains("instances");
  std::vector<Json> examples;
  if (batch) {
    const Json &instances = body.at("instances");
    if (!instances.is_array() || instances.empty())
      throw BadRequest("\"instances\" must be a non-empty list of examples");
    if (instances.size() > kMaxInstances)
      throw BadRequest("\"instances\" holds " +
                       std::to_string(instances.size()) +
                       " examples; at most " + std::to_string(kMaxInstances) +
                       " per request");
    examples.assign(instances.begin(), instances.end());
  } else {
    examples.push_back(body);
  }

  std::vector<float> x;
  std::vector<std::pair<Json, Json>> notes;
  for (size_t i = 0; i < examples.size(); ++i) {
    Json unknown = Json::array(), defaulted = Json::array();
    try {
      std::vector<float> r = row(examples[i], unknown, defaulted);
      x.insert(x.end(), r.begin(), r.end());
    } catch (const BadRequest &error) {
      if (!batch)
        throw;
      throw BadRequest("instance " + std::to_string(i) + ": " + error.what());
    }
    notes.emplace_back(std::move(unknown), std::move(defaulted));
  }

  std::vector<float> logits;
  {
    std::lock_guard lock(mutex);
    NoGradGuard noGrad;
    Tensor input =
        from_blob(x.data(), {static_cast<int64_t>(examples.size()), width},
                  kFloat32)
            .clone();
    logits = net->forward(input).to_vector<float>();
  }
  Json predictions = Json::array();
  for (size_t i = 0; i < examples.size(); ++i) {
    double logit = logits[i];
    predictions.push_back({{"probability", 1.0 / (1.0 + std::exp(-logit))},
                           {"logit", logit},
                           {"unknown", notes[i].first},
                           {"defaulted", notes[i].second}});
  }
  if (batch)
    return {{"predictions", predictions}};
  return predictions[0];
}

} // namespace dlc::board
