// A main() for the fuzz targets when they are built without libFuzzer (g++, or clang
// without -fsanitize=fuzzer): it feeds LLVMFuzzerTestOneInput every file named on the
// command line, then a deterministic stream of random and mutated inputs, so that
// `make test` exercises every parser of untrusted bytes (under ASan/UBSan in the
// sanitizer build) even where no fuzzing engine is available.
//
// Usage: <target> [--random N] [--seed S] [files...]

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  long random_inputs = 20000;
  unsigned seed = 1;
  std::vector<std::vector<uint8_t>> corpus;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--random") == 0 && i + 1 < argc) {
      random_inputs = std::atol(argv[++i]);
    } else if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = static_cast<unsigned>(std::atol(argv[++i]));
    } else {
      std::ifstream in(argv[i], std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", argv[i]);
        return 2;
      }
      corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  for (const auto& input : corpus) LLVMFuzzerTestOneInput(input.data(), input.size());

  std::mt19937 rng(seed);
  std::vector<uint8_t> input;
  for (long n = 0; n < random_inputs; ++n) {
    if (!corpus.empty() && n % 2 == 0) {
      // Mutate a corpus entry: flip bytes, cut it, or splice in random bytes.
      input = corpus[rng() % corpus.size()];
      int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits && !input.empty(); ++e) {
        size_t at = rng() % input.size();
        switch (rng() % 3) {
          case 0: input[at] = static_cast<uint8_t>(rng()); break;
          case 1: input.resize(at); break;
          default: input.insert(input.begin() + static_cast<long>(at), static_cast<uint8_t>(rng())); break;
        }
      }
    } else {
      input.resize(rng() % 512);
      for (auto& b : input) b = static_cast<uint8_t>(rng());
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("ran %zu corpus inputs and %ld generated inputs\n", corpus.size(), random_inputs);
  return 0;
}
