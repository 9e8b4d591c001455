//===- DlcBoardTest.cpp - dlc-board: its JSON, its server, its flags ------===//
//
// The server is tested over loopback with cpp-httplib's client: what the page
// reads (runs, studies, the form) and what a serving client sends (good
// examples score as dlc::models scores them; bad ones get 400, oversized
// ones 413, and no request reaches a file).
//
//===----------------------------------------------------------------------===//

#include "tools/dlc-board/Args.h"
#include "tools/dlc-board/Board.h"
#include "tools/dlc-board/Server.h"
#include "tools/dlc-train/ModelCard.h"

#include "../frontend/TestUtil.h"

#include <dlc/dlc.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

namespace {

namespace fs = std::filesystem;
using namespace dlc;
using board::Json;
using dlc::test::errorOf;
using dlc::test::TempDir;

void writeText(const fs::path &path, const std::string &text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

//===----------------------------------------------------------------------===//
// Flags
//===----------------------------------------------------------------------===//

std::string argsError(const std::vector<std::string> &args) {
  return errorOf([&] { board::parseArgs(args); });
}

TEST(DlcBoardArgs, Flags) {
  board::BoardArgs a = board::parseArgs({"--logdir", "runs"});
  EXPECT_EQ(a.server.logdir, "runs");
  EXPECT_EQ(a.server.host, "127.0.0.1");
  EXPECT_EQ(a.server.port, 8080);
  a = board::parseArgs({"--storage=s.db", "--checkpoint", "b.safetensors",
                        "--model-card", "m.json", "--host", "0.0.0.0", "--port",
                        "0", "--max-body", "100"});
  EXPECT_EQ(a.server.storage, "s.db");
  EXPECT_EQ(a.server.checkpoint, "b.safetensors");
  EXPECT_EQ(a.server.card, "m.json");
  EXPECT_EQ(a.server.host, "0.0.0.0");
  EXPECT_EQ(a.server.port, 0);
  EXPECT_EQ(a.server.max_body, 100u);
  EXPECT_TRUE(board::parseArgs({"--help"}).help);
  EXPECT_NE(board::usage().find("--checkpoint FILE"), std::string::npos);
}

TEST(DlcBoardArgs, Errors) {
  EXPECT_EQ(argsError({}), "dlc-board: nothing to show: give --logdir, "
                           "--storage or --checkpoint (see dlc-board --help)");
  EXPECT_EQ(argsError({"--logdir", "r", "--bogus", "1"}),
            "dlc-board: unknown flag '--bogus' (see dlc-board --help)");
  EXPECT_EQ(argsError({"--logdir"}), "dlc-board: --logdir needs a value");
  EXPECT_EQ(argsError({"--logdir="}),
            "dlc-board: --logdir needs a non-empty value");
  EXPECT_EQ(argsError({"--logdir", "r", "--port", "70000"}),
            "dlc-board: --port expects an integer from 0 to 65535, not "
            "'70000'");
  EXPECT_EQ(argsError({"--logdir", "r", "--port", "80x"}),
            "dlc-board: --port expects an integer from 0 to 65535, not '80x'");
  EXPECT_EQ(argsError({"--logdir", "r", "--model-card", "m.json"}),
            "dlc-board: --model-card needs --checkpoint");
}

//===----------------------------------------------------------------------===//
// Runs
//===----------------------------------------------------------------------===//

TEST(DlcBoardRuns, FindsHistoriesEventFilesAndSummaries) {
  TempDir logdir;
  // A dlc-train run: history, TensorBoard's train/ and validation/ logs,
  // and its --metrics-json beside it.
  writeText(logdir / "deepfm/history.json",
            R"({"epoch": [0, 1], "loss": [0.6, 0.5], "val_auc": [0.7, 0.75]})");
  writeText(logdir / "deepfm.json",
            R"({"model": "deepfm", "test": {"auc": 0.71}, "timings": {}})");
  {
    train::SummaryWriter train((logdir / "deepfm/tensorboard/train").string());
    train.add_scalar("epoch_loss", 0.6, 0);
    train::SummaryWriter valid(
        (logdir / "deepfm/tensorboard/validation").string());
    valid.add_scalar("epoch_loss", 0.55, 0);
  }
  // A user's SummaryWriter alone, one level deeper, and fit()'s CSV alone.
  {
    train::SummaryWriter writer((logdir / "exp/a").string());
    for (int step = 0; step < 3; ++step)
      writer.add_scalar("loss", 1.0 / (step + 1), step);
  }
  writeText(logdir / "csv-only/history.csv",
            "epoch,loss,val_auc\n0,0.7,0.6\n1,0.65,nan\n");
  // Not runs.
  writeText(logdir / "notes/readme.txt", "hello");

  Json json = board::list_runs(logdir.path);
  EXPECT_EQ(json["logdir"], logdir.path.string());
  ASSERT_EQ(json["runs"].size(), 3u) << json.dump(2);

  const Json &csv = json["runs"][0];
  EXPECT_EQ(csv["name"], "csv-only");
  EXPECT_EQ(csv["history"]["epoch"], Json::parse("[0, 1]"));
  EXPECT_EQ(csv["history"]["metrics"]["val_auc"], Json::parse("[0.6, null]"));
  EXPECT_TRUE(csv["summary"].is_null());

  const Json &deepfm = json["runs"][1];
  EXPECT_EQ(deepfm["name"], "deepfm");
  EXPECT_EQ(deepfm["history"]["metrics"]["loss"], Json::parse("[0.6, 0.5]"));
  EXPECT_EQ(deepfm["history"]["metrics"]["val_auc"],
            Json::parse("[0.7, 0.75]"));
  EXPECT_EQ(deepfm["summary"]["model"], "deepfm");
  EXPECT_DOUBLE_EQ(deepfm["summary"]["test"]["auc"].get<double>(), 0.71);
  EXPECT_FALSE(deepfm["summary"].contains("timings"));
  ASSERT_TRUE(deepfm["tensorboard"].contains("train/epoch_loss"))
      << deepfm["tensorboard"].dump();
  EXPECT_NEAR(
      deepfm["tensorboard"]["validation/epoch_loss"][0][1].get<double>(), 0.55,
      1e-6);
  double now = std::chrono::duration<double>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  EXPECT_NEAR(deepfm["modified"].get<double>(), now, 3600);

  const Json &exp = json["runs"][2];
  EXPECT_EQ(exp["name"], "exp/a");
  EXPECT_TRUE(exp["history"].is_null());
  ASSERT_EQ(exp["tensorboard"]["loss"].size(), 3u);
  EXPECT_EQ(exp["tensorboard"]["loss"][2][0], 2);
  EXPECT_NEAR(exp["tensorboard"]["loss"][2][1].get<double>(), 1.0 / 3, 1e-6);
}

TEST(DlcBoardRuns, UnreadableFilesAreReportedNotFatal) {
  TempDir logdir;
  writeText(logdir / "broken/history.json", "{not json");
  writeText(logdir / "broken/events.out.tfevents.1.host.1.0",
            std::string(16, '\x07'));
  Json json = board::list_runs(logdir.path);
  ASSERT_EQ(json["runs"].size(), 1u);
  const Json &run = json["runs"][0];
  EXPECT_TRUE(run["history"].is_null());
  ASSERT_EQ(run["errors"].size(), 2u) << run.dump();
  EXPECT_NE(run["errors"][0].get<std::string>().find("history.json is not a "
                                                     "JSON object"),
            std::string::npos);
  EXPECT_NE(run["errors"][1].get<std::string>().find("is corrupt"),
            std::string::npos);

  EXPECT_ERROR(board::list_runs(logdir / "missing"),
               "dlc-board: --logdir " + (logdir / "missing").string() +
                   " is not a directory");
}

//===----------------------------------------------------------------------===//
// Studies
//===----------------------------------------------------------------------===//

TEST(DlcBoardStudies, TrialsBestAndImportances) {
  auto storage = tune::make_in_memory_storage();
  tune::Study study(tune::StudyOptions()
                        .name("search")
                        .direction(tune::Direction::Maximize)
                        .storage(storage));
  for (int i = 0; i < 4; ++i) {
    tune::Trial trial = study.ask();
    double x = trial.suggest_float("lr", 1e-4, 1e-1, /*log=*/true);
    std::string optimizer = trial.suggest_categorical("opt", {"adam", "sgd"});
    trial.report(x, 0);
    study.tell(trial,
               -std::fabs(std::log10(x) + 2) + (optimizer == "adam" ? 0.1 : 0));
  }
  tune::Trial pruned = study.ask();
  pruned.suggest_float("lr", 1e-4, 1e-1, true);
  pruned.suggest_categorical("opt", {"adam", "sgd"});
  pruned.report(0.5, 0);
  study.tell(pruned, tune::TrialState::Pruned, 0.5);

  Json studies = board::list_studies(*storage);
  ASSERT_EQ(studies.size(), 1u);
  const Json &s = studies[0];
  EXPECT_EQ(s["name"], "search");
  EXPECT_EQ(s["direction"], "maximize");
  ASSERT_EQ(s["trials"].size(), 5u);
  EXPECT_EQ(s["trials"][4]["state"], "PRUNED");
  EXPECT_EQ(s["trials"][4]["intermediate"], Json::parse("[[0, 0.5]]"));
  EXPECT_TRUE(s["trials"][0]["params"]["opt"].is_string());
  // The best is the complete trial of the highest value.
  tune::FrozenTrial best = study.best_trial();
  EXPECT_EQ(s["best"]["number"], best.number);
  EXPECT_DOUBLE_EQ(s["best"]["value"].get<double>(), *best.value);
  double sum = 0;
  for (const Json &importance : s["importances"])
    sum += importance[1].get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-9) << s["importances"].dump();
}

//===----------------------------------------------------------------------===//
// Model card and predictions
//===----------------------------------------------------------------------===//

/// A small trained-shape model over dense, categorical and id-list columns,
/// saved as dlc-train saves it: checkpoint, model.json, vocabularies.txt.
struct SavedModel {
  explicit SavedModel(const fs::path &dir) : dir(dir) {
    writeText(dir / "train.csv", "label,count,color,shape,seen\n"
                                 "1,3,red,circle,red blue\n"
                                 "0,0,blue,square,blue\n"
                                 "1,10,red,square,green red\n"
                                 "0,1,green,circle,\n");
    data::TabularDataset train =
        data::read_csv((dir / "train.csv").string(),
                       data::CsvOptions()
                           .label_column("label")
                           .dense_columns({"count"})
                           .categorical_columns({"color", "shape"})
                           .sequence_columns({"seen"})
                           .share_vocabulary({"color", "seen"})
                           .max_sequence_length(3)
                           .dense_transform(data::DenseTransform::Log1p));
    card.model = "deepfm";
    card.config.dnn_hidden_units({8});
    card.columns = models::feature_columns(train, 4);
    card.data = "test";
    card.dense_transform = "log1p";
    card.vocabularies = train.vocabularies();
    manual_seed(3);
    model = tools::make_model(card);
    // Parameters far from their tiny initial values, so that predictions
    // differ between examples.
    {
      NoGradGuard guard;
      for (Tensor &p : model->parameters())
        p.copy_(randn(p.sizes()) * 0.5);
    }
    model->eval();
    save(*model, (dir / "best.safetensors").string());
    tools::save_model_card(card, dir.string());
  }

  /// The model's probability for one row of x.
  double probability(std::vector<float> x) {
    NoGradGuard guard;
    Tensor input =
        from_blob(x.data(), {1, static_cast<int64_t>(x.size())}).clone();
    return sigmoid(model->forward(input)).item<double>();
  }
  int64_t id(const std::string &column, const std::string &value) const {
    return card.vocabularies.at(column)->id(value);
  }

  fs::path dir;
  tools::ModelCard card;
  std::shared_ptr<models::CtrModelImpl> model;
};

TEST(DlcBoardModelCard, RoundTrips) {
  TempDir dir;
  SavedModel saved(dir.path);
  tools::ModelCard card = tools::load_model_card((dir / "model.json").string());
  EXPECT_EQ(card.model, "deepfm");
  EXPECT_EQ(card.dense_transform, "log1p");
  EXPECT_EQ(card.config.dnn_hidden_units(), std::vector<int64_t>{8});
  ASSERT_EQ(card.columns.size(), saved.card.columns.size());
  for (size_t i = 0; i < card.columns.size(); ++i)
    EXPECT_EQ(models::name_of(card.columns[i]),
              models::name_of(saved.card.columns[i]));
  const auto &seen = std::get<models::VarLenSparseFeat>(card.columns[3]);
  EXPECT_EQ(seen.maxlen(), 3);
  EXPECT_EQ(seen.sparse().table(), "color");
  EXPECT_EQ(card.vocabularies.at("seen")->id("green"),
            saved.id("color", "green"));
}

TEST(DlcBoardModelCard, Errors) {
  TempDir dir;
  SavedModel saved(dir.path);
  std::string path = (dir / "model.json").string();
  Json good = Json::parse(std::ifstream(path));
  auto withCard = [&](const Json &json) {
    std::ofstream(path, std::ios::trunc) << json.dump();
    return errorOf([&] { tools::load_model_card(path); });
  };
  std::string prefix = "load_model_card: " + path + ": ";
  EXPECT_EQ(errorOf([&] { tools::load_model_card(path + ".missing"); }),
            "load_model_card: " + path + ".missing: cannot open the file");
  writeText(path, "{oops");
  EXPECT_EQ(errorOf([&] { tools::load_model_card(path); }),
            prefix + "is not JSON");
  EXPECT_EQ(withCard(Json::object()),
            prefix + "is not a dlc model card (no \"format\": "
                     "\"dlc-model-card\")");
  Json card = good;
  card["version"] = 2;
  EXPECT_EQ(withCard(card), prefix + "has version 2; this dlc reads version 1");
  card = good;
  card.erase("model");
  EXPECT_EQ(withCard(card), prefix + "has no \"model\"");
  card = good;
  card["columns"][1]["kind"] = "image";
  EXPECT_EQ(withCard(card),
            prefix + "column 1 (\"color\") has the unknown kind \"image\" "
                     "(known: dense, sparse, id_list)");
  card = good;
  card["columns"][0]["dimension"] = "one";
  EXPECT_EQ(withCard(card),
            prefix + "column 0 (\"count\") \"dimension\" is not an integer");
  card = good;
  card["columns"][3]["combiner"] = "median";
  EXPECT_EQ(withCard(card),
            prefix + "column 3 (\"seen\") has the unknown combiner \"median\" "
                     "(known: sum, mean, max)");
  card = good;
  card["config"]["dnn_hidden_units"] = "8";
  EXPECT_EQ(withCard(card),
            prefix + "config \"dnn_hidden_units\" is not a list");
  card = good;
  card["dense_transform"] = "sqrt";
  EXPECT_EQ(withCard(card), prefix + "has the unknown dense_transform "
                                     "\"sqrt\" (known: none, log1p)");
  card = good;
  card["columns"][2]["name"] = "size";
  EXPECT_EQ(withCard(card), prefix + "column \"size\" has no vocabulary in " +
                                (dir / "vocabularies.txt").string());
}

TEST(DlcBoardPredictor, ScoresAsTheModelDoes) {
  TempDir dir;
  SavedModel saved(dir.path);
  board::Predictor predictor((dir / "best.safetensors").string(),
                             (dir / "model.json").string());
  Json result = predictor.predict(Json::parse(
      R"({"count": 3, "color": "red", "shape": "square", "seen": ["blue", "red"]})"));
  double expected =
      saved.probability({static_cast<float>(std::log1p(3.0)),
                         static_cast<float>(saved.id("color", "red")),
                         static_cast<float>(saved.id("shape", "square")),
                         static_cast<float>(saved.id("color", "blue")),
                         static_cast<float>(saved.id("color", "red")), 0.0f});
  EXPECT_NEAR(result["probability"].get<double>(), expected, 1e-6);
  EXPECT_EQ(result["unknown"], Json::array());
  EXPECT_EQ(result["defaulted"], Json::array());

  // Defaults, an unknown category, a list as text, numbers as text.
  result = predictor.predict(Json::parse(
      R"({"count": "-2", "color": "purple", "seen": "red, green"})"));
  expected = saved.probability(
      {0.0f, 0.0f, 0.0f, static_cast<float>(saved.id("color", "red")),
       static_cast<float>(saved.id("color", "green")), 0.0f});
  EXPECT_NEAR(result["probability"].get<double>(), expected, 1e-6);
  EXPECT_EQ(result["unknown"], Json::parse(R"(["color"])"));
  EXPECT_EQ(result["defaulted"], Json::parse(R"(["shape"])"));

  // A batch scores each example as alone.
  Json batch = predictor.predict(Json::parse(
      R"({"instances": [{"count": "-2", "color": "purple", "seen": "red green"}, {}]})"));
  ASSERT_EQ(batch["predictions"].size(), 2u);
  EXPECT_NEAR(batch["predictions"][0]["probability"].get<double>(), expected,
              1e-6);
  EXPECT_NEAR(batch["predictions"][1]["probability"].get<double>(),
              saved.probability({0, 0, 0, 0, 0, 0}), 1e-6);

  Json schema = predictor.schema();
  EXPECT_EQ(schema["model"], "deepfm");
  EXPECT_EQ(schema["checkpoint"], "best.safetensors");
  ASSERT_EQ(schema["fields"].size(), 4u);
  EXPECT_EQ(schema["fields"][0]["kind"], "dense");
  EXPECT_EQ(schema["fields"][1]["kind"], "categorical");
  EXPECT_EQ(schema["fields"][1]["examples"][0], "red"); // the most frequent
  EXPECT_EQ(schema["fields"][3]["kind"], "id_list");
  EXPECT_EQ(schema["fields"][3]["maxlen"], 3);
}

TEST(DlcBoardPredictor, BadExamplesNameTheField) {
  TempDir dir;
  SavedModel saved(dir.path);
  board::Predictor predictor((dir / "best.safetensors").string(),
                             (dir / "model.json").string());
  auto error = [&](const std::string &body) {
    try {
      predictor.predict(Json::parse(body));
    } catch (const board::BadRequest &bad) {
      return std::string(bad.what());
    }
    return std::string();
  };
  EXPECT_EQ(error("[1, 2]"),
            "an example must be a JSON object of field name -> value, not "
            "array");
  EXPECT_EQ(error(R"({"size": 1})"),
            "unknown field \"size\" (the model's fields: count, color, shape, "
            "seen)");
  EXPECT_EQ(error(R"({"count": "many"})"),
            "field \"count\": expected a number, got \"many\"");
  EXPECT_EQ(error(R"({"count": true})"),
            "field \"count\": expected a number, got boolean");
  EXPECT_EQ(error(R"({"color": {"r": 1}})"),
            "field \"color\": expected a string, got object");
  EXPECT_EQ(error(R"({"seen": "red blue green red"})"),
            "field \"seen\": holds 4 values; the model takes at most 3");
  // '|' is part of a value, not a separator.
  EXPECT_EQ(
      predictor.predict(Json::parse(R"({"seen": "red|blue"})"))["unknown"],
      Json::parse(R"(["seen"])"));
  EXPECT_EQ(error(R"({"seen": [[1]]})"),
            "field \"seen\": expected a list of strings or integers, got an "
            "element [1]");
  EXPECT_EQ(error(R"({"instances": []})"),
            "\"instances\" must be a non-empty list of examples");
  EXPECT_EQ(error(R"({"instances": [{}, {"count": "x"}]})"),
            "instance 1: field \"count\": expected a number, got \"x\"");
}

//===----------------------------------------------------------------------===//
// The server over loopback
//===----------------------------------------------------------------------===//

/// A server on a free port of 127.0.0.1, serving from a thread.
class RunningServer {
public:
  explicit RunningServer(board::ServerOptions options)
      : server((options.port = 0, options)), port(server.bind()),
        thread([this] { server.listen(); }) {
    // listen() may not have started accepting yet: the client retries its
    // connection, and the socket is already bound, so none is refused.
  }
  ~RunningServer() {
    server.stop();
    thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(10);
    c.set_read_timeout(30);
    return c;
  }

  board::Server server;
  int port;
  std::thread thread;
};

Json body(const httplib::Result &result) {
  EXPECT_TRUE(result) << "no response: " << httplib::to_string(result.error());
  if (!result)
    return nullptr;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  return Json::parse(result->body, nullptr, false);
}

TEST(DlcBoardServer, ServesThePageRunsStudiesAndPredictions) {
  TempDir dir;
  SavedModel saved(dir / "runs/model");
  writeText(dir / "runs/model/history.json", R"({"epoch": [0], "auc": [0.6]})");
  std::string db = (dir / "study.db").string();
  {
    tune::Study study(
        tune::StudyOptions().name("s").storage(tune::make_sqlite_storage(db)));
    tune::Trial trial = study.ask();
    study.tell(trial, 1.5);
  }
  board::ServerOptions options;
  options.logdir = (dir / "runs").string();
  options.storage = db;
  options.checkpoint = (dir / "runs/model/best.safetensors").string();
  RunningServer running(options);
  httplib::Client client = running.client();

  httplib::Result page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<title>"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy")
                .find("default-src 'self'"),
            std::string::npos);
  for (const char *asset :
       {"/assets/app.js", "/assets/style.css", "/assets/chart.umd.js"}) {
    httplib::Result result = client.Get(asset);
    ASSERT_TRUE(result) << asset;
    EXPECT_EQ(result->status, 200) << asset;
    EXPECT_GT(result->body.size(), 1000u) << asset;
  }
  EXPECT_EQ(
      client.Get("/assets/chart.umd.js")->get_header_value("Content-Type"),
      "text/javascript; charset=utf-8");

  Json runs = body(client.Get("/api/runs"));
  ASSERT_EQ(runs["runs"].size(), 1u) << runs.dump();
  EXPECT_EQ(runs["runs"][0]["name"], "model");
  EXPECT_EQ(runs["runs"][0]["history"]["metrics"]["auc"], Json::parse("[0.6]"));

  Json studies = body(client.Get("/api/studies"));
  EXPECT_EQ(studies["storage"], db);
  ASSERT_EQ(studies["studies"].size(), 1u);
  EXPECT_EQ(studies["studies"][0]["best"]["value"], 1.5);

  Json model = body(client.Get("/api/model"));
  EXPECT_EQ(model["model"], "deepfm");
  EXPECT_EQ(model["fields"].size(), 4u);

  std::string example = R"({"count": 10, "color": "green", "shape": "circle"})";
  httplib::Result result =
      client.Post("/api/predict", example, "application/json");
  Json prediction = body(result);
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_NEAR(prediction["probability"].get<double>(),
              saved.probability(
                  {static_cast<float>(std::log1p(10.0)),
                   static_cast<float>(saved.id("color", "green")),
                   static_cast<float>(saved.id("shape", "circle")), 0, 0, 0}),
              1e-6);
}

TEST(DlcBoardServer, MalformedAndOversizedRequests) {
  TempDir dir;
  SavedModel saved(dir.path);
  board::ServerOptions options;
  options.checkpoint = (dir / "best.safetensors").string();
  options.max_body = 4096;
  RunningServer running(options);
  httplib::Client client = running.client();

  auto post = [&](const std::string &text) {
    return client.Post("/api/predict", text, "application/json");
  };
  httplib::Result result = post("{\"count\": ");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400);
  EXPECT_EQ(body(result)["error"], "the body is not valid JSON");
  result = post(R"({"count": "lots"})");
  EXPECT_EQ(result->status, 400);
  EXPECT_EQ(body(result)["error"],
            "field \"count\": expected a number, got \"lots\"");
  result = post(R"("just a string")");
  EXPECT_EQ(result->status, 400);

  result = post("{\"color\": \"" + std::string(5000, 'x') + "\"}");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 413);
  EXPECT_EQ(body(result)["error"], "the body is larger than 4096 bytes");

  // Only the embedded files are served: no path reaches the file system.
  for (const char *path :
       {"/assets/../../../../etc/passwd", "/assets/%2e%2e%2fetc%2fpasswd",
        "/assets/index.html", "/etc/passwd", "/assets/missing.js"}) {
    result = client.Get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 404) << path;
    EXPECT_EQ(result->body.find("root:"), std::string::npos) << path;
  }
  EXPECT_EQ(body(client.Get("/nope"))["error"], "no such page: /nope");

  // Without --logdir and --storage: empty lists, not errors.
  EXPECT_EQ(body(client.Get("/api/runs"))["runs"], Json::array());
  EXPECT_TRUE(body(client.Get("/api/studies"))["storage"].is_null());
}

TEST(DlcBoardServer, WithoutACheckpointThereIsNoModel) {
  TempDir dir;
  fs::create_directories(dir / "runs");
  board::ServerOptions options;
  options.logdir = (dir / "runs").string();
  RunningServer running(options);
  httplib::Client client = running.client();
  httplib::Result result = client.Get("/api/model");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(body(result)["error"],
            "dlc-board was started without --checkpoint");
  result = client.Post("/api/predict", "{}", "application/json");
  EXPECT_EQ(result->status, 404);
}

TEST(DlcBoardServer, StartupErrorsNameTheFlagAndFile) {
  TempDir dir;
  SavedModel saved(dir / "model");
  auto startError = [](board::ServerOptions options) {
    return errorOf([&] { board::Server server(options); });
  };
  board::ServerOptions o;
  o.logdir = (dir / "missing").string();
  EXPECT_EQ(startError(o),
            "dlc-board: --logdir " + o.logdir + " is not a directory");
  o = {};
  o.storage = (dir / "missing.db").string();
  EXPECT_EQ(startError(o),
            "dlc-board: --storage " + o.storage + " is not a file");
  o = {};
  o.checkpoint = (dir / "missing.safetensors").string();
  EXPECT_EQ(startError(o),
            "dlc-board: --checkpoint " + o.checkpoint + " is not a file");
  o = {};
  o.checkpoint = (dir / "model/train.csv").string();
  o.card = (dir / "elsewhere.json").string();
  EXPECT_EQ(startError(o), "dlc-board: no model card " + o.card +
                               " beside the checkpoint (dlc-train writes "
                               "model.json and vocabularies.txt to its --out; "
                               "give another with --model-card)");
  // A checkpoint that is not one: the loader's error, naming the file.
  o.card = (dir / "model/model.json").string();
  EXPECT_NE(startError(o).find("train.csv"), std::string::npos);

  // A port another server listens on.
  o = {};
  o.logdir = dir.path.string();
  RunningServer first(o);
  o.port = first.port;
  board::Server second(o);
  EXPECT_EQ(errorOf([&] { second.bind(); }),
            "dlc-board: cannot listen on 127.0.0.1:" + std::to_string(o.port) +
                " (in use, or not an address of this machine)");
}

} // namespace
