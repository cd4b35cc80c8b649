// Script safety: values from the user or a profile that would break out of a batch script are
// refused; paths are quoted so that the shell reads them back unchanged.
#include <array>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "harness/plan/batch_script.hpp"
#include "harness/plan/plan.hpp"
#include "records/script_safety.hpp"
#include "tests/slurm/test_support.hpp"

namespace scalebench::plan {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

// What /bin/sh prints for `printf %s WORD` with WORD as written in a script.
std::string shell_reads(const std::string& word) {
  TempDir tmp("quote");
  fs::path script = tmp.path() / "s.sh";
  std::ofstream(script) << "printf %s " << word << "\n";
  std::string cmd = "sh " + script.string();
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  std::array<char, 256> buf{};
  while (std::fgets(buf.data(), buf.size(), f)) out += buf.data();
  pclose(f);
  return out;
}

SweepSpec small_spec() {
  SweepSpec s;
  s.allow_retired = true;  // the rules of retired profiles (Puhti, Mahti) are still tested
  s.workloads = {"resnet50"};
  s.strategies = {"ddp"};
  s.gpus = {1, 4};
  s.account = "project_1";
  s.binary = "/opt/scalebench/bin/scalebench";
  return s;
}

TEST(ShellQuote, PlainWordsStayAndOthersComeBackUnchanged) {
  EXPECT_EQ(shell_quote("/opt/sb/bin/scalebench"), "/opt/sb/bin/scalebench");
  for (std::string s : {"/a b/scalebench", "it's", "$(id)", "`id`", "a;rm -rf /", "*", "x|y&z",
                        "\"dq\"", "back\\slash", "~user", "$HOME"}) {
    EXPECT_EQ(shell_reads(shell_quote(s)), s) << "quoted as " << shell_quote(s);
  }
}

TEST(ShellQuote, RefusesControlCharacters) {
  EXPECT_THROW(shell_quote("a\nb"), UsageError);
  EXPECT_THROW(shell_quote(std::string("a\0b", 3)), UsageError);
  EXPECT_THROW(shell_quote("a\rb"), UsageError);
}

TEST(EnvironmentLines, AllowsModuleExportSource) {
  EXPECT_NO_THROW(require_environment_line("module load gcc/11.3.0 cuda/11.7.0", "t"));
  EXPECT_NO_THROW(require_environment_line("module purge", "t"));
  EXPECT_NO_THROW(require_environment_line("export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK", "t"));
  EXPECT_NO_THROW(require_environment_line("export PATH=/opt/x/bin:${PATH}", "t"));
  EXPECT_NO_THROW(require_environment_line("source /appl/profile/zz-csc-env.sh", "t"));
}

TEST(EnvironmentLines, RefusesMetacharactersAndNewlines) {
  for (std::string line : {"module load foo; rm -rf ~", "module load foo && curl x", "module load $(id)",
                           "module load `id`", "module load a\nrm -rf /", "echo hello",
                           "export A=`id`", "export A=$(id)", "export A=x y", "export 1A=x",
                           "module load foo > /etc/passwd", "module load foo*", "source a b",
                           "export A=${B:-$(id)}", "module load foo | sh", ""}) {
    EXPECT_THROW(require_environment_line(line, "t"), UsageError) << line;
  }
}

TEST(Licenses, TakeNamesWithCountsAndRefuseTheRest) {
  for (const char* ok : {"machine:1", "machine", "scratch,fs:2", "a.b-c_d:9999"})
    EXPECT_NO_THROW(require_licenses(ok, "licenses")) << ok;
  for (const char* bad : {"", "machine:", "machine:0", "machine:10000", "machine:1,", ",machine",
                          "machine:1 --wrap=x", "machine;id", "machine:1\n#SBATCH", "-L", "m:x"})
    EXPECT_THROW(require_licenses(bad, "licenses"), UsageError) << bad;
}

TEST(Names, RefuseWhatCouldLeaveAnSbatchLine) {
  EXPECT_NO_THROW(require_name("project_2001234", "t"));
  EXPECT_NO_THROW(require_name("small-g", "t"));
  for (std::string s : std::vector<std::string>{"", "gpu\n#SBATCH --wrap=id", "a b", "a;b", "$(id)",
                                                "-gpu", "a/b", std::string(65, 'a')})
    EXPECT_THROW(require_name(s, "t"), UsageError) << s;
}

TEST(Profiles, RefuseUnsafeValues) {
  auto base = testing::profile("puhti").raw;
  struct Case {
    std::string what;
    nlohmann::json::json_pointer ptr;
    nlohmann::json value;
  };
  std::vector<Case> cases = {
      {"partition with newline", nlohmann::json::json_pointer("/partitions/0/name"), "gpu\n#SBATCH --uid=0"},
      {"module line with ;", nlohmann::json::json_pointer("/environment/1"), "module load x; curl evil | sh"},
      {"module line with newline", nlohmann::json::json_pointer("/environment/1"), "module load x\nid"},
      {"gres type with space", nlohmann::json::json_pointer("/gpu_request/gres_type"), "v100 --wrap=id"},
      {"report partition", nlohmann::json::json_pointer("/report_partition"), "small;id"},
      {"launcher argument", nlohmann::json::json_pointer("/launcher/srun_args"), nlohmann::json::array({"--x=1;id"})},
      {"cpu mask", nlohmann::json::json_pointer("/binding"),
       nlohmann::json{{"cpu_masks", {"0xfe", "0xfe00", "0xfe0000", "$(id)"}}, {"source", "csc-partitions"}}},
      {"unknown key", nlohmann::json::json_pointer("/resources/cpus_per_gpus"), 3},
      {"unknown source", nlohmann::json::json_pointer("/partitions/0/source"), "nowhere"},
  };
  for (const auto& c : cases) {
    auto j = base;
    j[c.ptr] = c.value;
    EXPECT_THROW(parse_cluster_profile(j, "test"), UsageError) << c.what;
  }
}

TEST(Plan, RefusesUnsafeAccountAndPartition) {
  auto c = testing::profile("puhti");
  auto s = small_spec();
  s.account = "proj\n#SBATCH --uid=0";
  EXPECT_THROW(make_plan(s, c, testing::fixed_catalog()), UsageError);
  s = small_spec();
  s.account = "proj;id";
  EXPECT_THROW(make_plan(s, c, testing::fixed_catalog()), UsageError);
  s = small_spec();
  s.partition = "gpu$(id)";
  EXPECT_THROW(make_plan(s, c, testing::fixed_catalog()), UsageError);
  s = small_spec();
  s.time = "00:30:00\n#SBATCH --uid=0";
  EXPECT_THROW(make_plan(s, c, testing::fixed_catalog()), UsageError);
  s = small_spec();
  s.binary = "/opt/sb\n/scalebench";
  EXPECT_THROW(make_plan(s, c, testing::fixed_catalog()), UsageError);
}

TEST(Plan, QuotesAnOddBinaryPathAndEveryScriptParses) {
  auto s = small_spec();
  s.binary = "/home/o'neil/my tools/scalebench";
  Plan plan = make_plan(s, testing::profile("puhti"), testing::fixed_catalog());
  TempDir tmp("odd-path");
  write_plan(plan, tmp.path());
  std::string script = testing::read_text(tmp.path() / plan.jobs[0].script);
  EXPECT_NE(script.find("srun '/home/o'\\''neil/my tools/scalebench' run --plan plan.json"), std::string::npos)
      << script;
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    if (e.path().extension() != ".sbatch") continue;
    std::string cmd = "bash -n '" + e.path().string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << e.path();
  }
}

TEST(Plan, EverySbatchLineIsOneDirective) {
  // No value may smuggle a second directive or command into the header.
  for (std::string name : {"roihu", "puhti", "mahti", "lumi", "m3", "dgx-h100", "local-slurm"}) {
    auto c = testing::profile(name);
    auto s = small_spec();
    s.gpus = {1};
    Plan plan = make_plan(s, c, testing::fixed_catalog());
    std::string script = array_script(plan, plan.jobs[0]);
    std::istringstream in(script);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("#SBATCH", 0) != 0) continue;
      EXPECT_TRUE(line.rfind("#SBATCH --", 0) == 0 && line.find(' ', 8) == std::string::npos) << line;
    }
  }
}

}  // namespace
}  // namespace scalebench::plan
