// Trains an embedding MLP (the deep half of DeepFM) on the bundled Criteo
// sample with the Keras-style fit(): a progress bar with running AUC, early
// stopping on validation AUC, the best checkpoint reloaded at the end, a
// TensorBoard log and a CSV history. Then scores the held-out test file.
//
//   dlc-example-fit-criteo [data dir] [output dir] [epochs]
//
// `tensorboard --logdir <output dir>/tensorboard` shows the curves.
#include <dlc/dlc.h>

#include <cstdlib>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

using namespace dlc;

namespace {

/// Dense features and one embedding per categorical column (one table, each
/// column's ids shifted by an offset), concatenated into an MLP; one logit.
struct CriteoMlpImpl : nn::Module {
  CriteoMlpImpl(int64_t denseCount, const std::vector<int64_t> &vocabSizes,
                int64_t dim)
      : denseCount(denseCount),
        categoricalCount(static_cast<int64_t>(vocabSizes.size())) {
    std::vector<int64_t> offsets(vocabSizes.size(), 0);
    std::exclusive_scan(vocabSizes.begin(), vocabSizes.end(), offsets.begin(),
                        int64_t{0});
    int64_t rows =
        std::accumulate(vocabSizes.begin(), vocabSizes.end(), int64_t{0});
    embedding = register_module("embedding", nn::Embedding(rows, dim));
    mlp = register_module(
        "mlp",
        nn::Sequential(nn::Linear(denseCount + categoricalCount * dim, 64),
                       nn::ReLU(), nn::Dropout(0.2), nn::Linear(64, 32),
                       nn::ReLU(), nn::Linear(32, 1)));
    this->offsets = register_buffer("offsets", tensor(offsets, kLong));
  }

  /// `x` is a TabularBatch's `data`: the dense features, then the ids.
  Tensor forward(const Tensor &x) {
    Tensor dense = x.narrow(1, 0, denseCount);
    Tensor ids = x.narrow(1, denseCount, categoricalCount).to(kLong) + offsets;
    Tensor embedded = embedding->forward(ids).flatten(1);
    return mlp->forward(cat({dense, embedded}, 1)).squeeze(1);
  }

  int64_t denseCount;
  int64_t categoricalCount;
  nn::Embedding embedding{nullptr};
  nn::Sequential mlp{nullptr};
  Tensor offsets;
};
DLC_MODULE(CriteoMlp);

} // namespace

int main(int argc, char **argv) try {
  std::string dataDir = argc > 1 ? argv[1] : "data/criteo-kaggle-sample";
  std::string outDir = argc > 2 ? argv[2] : "criteo-run";
  int64_t epochs = argc > 3 ? std::atoll(argv[3]) : 20;

  // Criteo's TSV: label, I1..I13, C1..C26. Rare values (fewer than 3 rows)
  // share the out-of-vocabulary id; dev and test use train's vocabularies.
  auto options = data::CsvOptions()
                     .delimiter('\t')
                     .header(false)
                     .label_column(0)
                     .dense_columns(data::column_range(1, 14))
                     .categorical_columns(data::column_range(14, 40))
                     .min_count(3)
                     .dense_transform(data::DenseTransform::Log1p);
  data::TabularDataset train =
      data::read_csv(dataDir + "/head8k.train.tsv", options);
  data::TabularDataset dev = data::read_csv(dataDir + "/head8k.dev.tsv",
                                            options, train.vocabularies());
  data::TabularDataset test = data::read_csv(dataDir + "/head8k.test.tsv",
                                             options, train.vocabularies());
  std::cout << "train " << train.num_rows() << " rows, dev " << dev.num_rows()
            << ", test " << test.num_rows() << "; "
            << train.dense_names().size() << " dense and "
            << train.categorical_names().size() << " categorical features\n";

  auto trainLoader = data::make_data_loader(
      train, data::samplers::RandomSampler(train.num_rows(), /*seed=*/0),
      data::DataLoaderOptions(256).workers(2));
  auto devLoader = data::make_data_loader<data::samplers::SequentialSampler>(
      dev, data::DataLoaderOptions(1024));
  auto testLoader = data::make_data_loader<data::samplers::SequentialSampler>(
      test, data::DataLoaderOptions(1024));

  manual_seed(0);
  CriteoMlp model(static_cast<int64_t>(train.dense_names().size()),
                  train.vocab_sizes(), /*dim=*/8);
  optim::Adam optimizer(model->parameters(),
                        optim::AdamOptions(1e-3).weight_decay(1e-5));

  auto checkpoint = std::make_shared<train::ModelCheckpoint>(
      outDir + "/best.safetensors", train::ModelCheckpointOptions()
                                        .monitor("val_auc")
                                        .save_best_only(true)
                                        .load_best_on_train_end(true)
                                        .verbose(true));
  train::FitOptions fitOptions =
      train::FitOptions()
          .epochs(epochs)
          .metrics({"auc", "logloss"})
          .metric_options(train::MetricOptions().from_logits(true))
          .history_csv(outDir + "/history.csv")
          .history_json(outDir + "/history.json")
          .callbacks(
              {train::EarlyStopping(
                   train::EarlyStoppingOptions("val_auc").patience(2).verbose(
                       true)),
               checkpoint, train::TensorBoard(outDir + "/tensorboard")});
  train::Trainer trainer(model, nn::BCEWithLogitsLoss(), optimizer, fitOptions);
  train::History history = trainer.fit(*trainLoader, *devLoader);

  trainer.options().verbose(0);
  train::Logs scores = trainer.evaluate(*testLoader);
  std::cout << "best epoch " << checkpoint->best_epoch() + 1 << " of "
            << history.size() << " (val_auc "
            << train::formatMetricValue(checkpoint->best())
            << "), reloaded from " << checkpoint->best_path() << "\n"
            << "test: auc "
            << train::formatMetricValue(*train::find_log(scores, "auc"))
            << ", logloss "
            << train::formatMetricValue(*train::find_log(scores, "logloss"))
            << "\nhistory: " << outDir
            << "/history.csv, TensorBoard: " << outDir << "/tensorboard\n\n"
            << stats();
  return 0;
} catch (const dlc::Error &error) {
  std::cerr << "error: " << error.what() << "\n";
  return 1;
}
