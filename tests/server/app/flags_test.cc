#include "server/app/flags.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "server/app/admission_flags.h"
#include "server/app/memory_budget_flags.h"

namespace tern {
namespace {

// Every flag of tensorflow_model_server's main.cc, with a value of its type.
const std::vector<std::string> kTfServingCommandLine = {
    "--port=8500",
    "--grpc_socket_path=/tmp/tern-flags-test.sock",
    "--rest_api_port=8501",
    "--rest_api_num_threads=4",
    "--rest_api_timeout_in_ms=5000",
    "--rest_api_enable_cors_support=true",
    "--enable_batching=true",
    "--allow_version_labels_for_unavailable_models=true",
    "--batching_parameters_file=/tmp/batching.config",
    "--enable_per_model_batching_parameters=false",
    "--model_config_file=/tmp/models.config",
    "--model_config_file_poll_wait_seconds=60",
    "--model_name=m",
    "--model_base_path=/models/m",
    "--num_load_threads=2",
    "--num_unload_threads=2",
    "--max_num_load_retries=3",
    "--load_retry_interval_micros=2000000",
    "--file_system_poll_wait_seconds=2",
    "--flush_filesystem_caches=true",
    "--tensorflow_session_parallelism=0",
    "--tensorflow_session_config_file=/tmp/session.config",
    "--tensorflow_intra_op_parallelism=3",
    "--tensorflow_inter_op_parallelism=0",
    "--use_alts_credentials=false",
    "--ssl_config_file=/tmp/ssl.config",
    "--platform_config_file=/tmp/platform.config",
    "--per_process_gpu_memory_fraction=0.5",
    "--saved_model_tags=serve",
    "--grpc_channel_arguments=grpc.max_connection_age_ms=2000",
    "--grpc_max_threads=16",
    "--enable_model_warmup=true",
    "--num_request_iterations_for_warmup=2",
    "--version=false",
    "--monitoring_config_file=/tmp/monitoring.config",
    "--remove_unused_fields_from_bundle_metagraph=true",
    "--prefer_tflite_model=false",
    "--num_tflite_pools=2",
    "--num_tflite_interpreters_per_pool=1",
    "--enable_signature_method_name_check=true",
    "--xla_cpu_compilation_enabled=false",
    "--xla_gpu_compilation_enabled=false",
    "--enable_profiler=false",
    "--thread_pool_factory_config_file=/tmp/pool.config",
    "--mixed_precision=bfloat16",
    "--skip_initialize_tpu=true",
    "--enable_grpc_healthcheck_service=false",
    "--enable_serialization_as_tensor_content=true",
};

TEST(ServerFlagsTest, AcceptsEveryTfServingFlag) {
  ASSERT_EQ(kTfServingCommandLine.size(), 48u);
  auto flags = ParseServerFlags(kTfServingCommandLine);
  ASSERT_TRUE(flags.ok()) << flags.status().message();
  EXPECT_EQ(flags->given.size(), 48u);
  // The ones Tern acts on.
  EXPECT_EQ(flags->max_num_load_retries, 3);
  EXPECT_EQ(flags->load_retry_interval_micros, 2000000);
  EXPECT_EQ(flags->num_request_iterations_for_warmup, 2);
  EXPECT_TRUE(flags->enable_signature_method_name_check);
  EXPECT_FALSE(flags->enable_grpc_healthcheck_service);
  EXPECT_TRUE(flags->enable_serialization_as_tensor_content);
  EXPECT_EQ(ComputeThreads(*flags), 0);
  EXPECT_EQ(IntraOpThreadLimit(*flags), 3);
  // The ones with no meaning here are noted with why.
  std::vector<std::string> inapplicable;
  for (const auto& flag : flags->inapplicable) {
    EXPECT_FALSE(flag.reason.empty()) << flag.name;
    inapplicable.push_back(flag.name);
  }
  EXPECT_EQ(inapplicable.size(), 16u);
  EXPECT_NE(std::find(inapplicable.begin(), inapplicable.end(), "per_process_gpu_memory_fraction"),
            inapplicable.end());
}

TEST(ServerFlagsTest, DefaultsAreTfServings) {
  auto flags = ParseServerFlags({});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->port, 8500);
  EXPECT_EQ(flags->rest_api_port, 0);
  EXPECT_EQ(flags->rest_api_timeout_in_ms, 30000);
  EXPECT_EQ(flags->model_name, "default");
  EXPECT_EQ(flags->file_system_poll_wait_seconds, 1);
  EXPECT_EQ(flags->model_config_file_poll_wait_seconds, 0);
  EXPECT_TRUE(flags->enable_model_warmup);
  EXPECT_FALSE(flags->enable_batching);
  EXPECT_FALSE(flags->enable_serialization_as_tensor_content);
  EXPECT_FALSE(flags->enable_signature_method_name_check);
  EXPECT_EQ(ComputeThreads(*flags), 0);
}

TEST(ServerFlagsTest, InapplicableFlagValuesAreStillChecked) {
  auto bad_float = ParseServerFlags({"--per_process_gpu_memory_fraction=half"});
  ASSERT_FALSE(bad_float.ok());
  EXPECT_NE(bad_float.status().message().find("per_process_gpu_memory_fraction"),
            std::string::npos);
  EXPECT_FALSE(ParseServerFlags({"--enable_profiler=maybe"}).ok());
  EXPECT_FALSE(ParseServerFlags({"--num_tflite_pools=two"}).ok());
}

TEST(ServerFlagsTest, BooleansTakeTheFormsTfServingTakes) {
  for (const char* form : {"--enable_batching", "--enable_batching=true", "--enable_batching=1",
                           "--enable_batching=True"}) {
    auto flags = ParseServerFlags({form});
    ASSERT_TRUE(flags.ok()) << form;
    EXPECT_TRUE(flags->enable_batching) << form;
  }
  auto off = ParseServerFlags({"--enable_batching=false"});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->enable_batching);
}

TEST(ServerFlagsTest, UnknownFlagIsAnErrorNamingIt) {
  auto flags = ParseServerFlags({"--model_name=m", "--no_such_flag=1"});
  ASSERT_FALSE(flags.ok());
  EXPECT_NE(flags.status().message().find("--no_such_flag"), std::string::npos);
}

TEST(ServerFlagsTest, VersionAndComputeThreads) {
  auto flags = ParseServerFlags({"--version"});
  ASSERT_TRUE(flags.ok());
  EXPECT_TRUE(flags->version);
  auto session = ParseServerFlags(
      {"--tensorflow_session_parallelism=2", "--tensorflow_intra_op_parallelism=8"});
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(ComputeThreads(*session), 2);  // session parallelism sizes every pool in TF
  EXPECT_EQ(IntraOpThreadLimit(*session), 2);
  auto inter = ParseServerFlags({"--tensorflow_inter_op_parallelism=5"});
  ASSERT_TRUE(inter.ok());
  EXPECT_EQ(ComputeThreads(*inter), 5);
  EXPECT_EQ(IntraOpThreadLimit(*inter), 1);  // ops on their request's thread
  auto intra = ParseServerFlags({"--tensorflow_intra_op_parallelism=1"});
  ASSERT_TRUE(intra.ok());
  EXPECT_EQ(ComputeThreads(*intra), 0);
  EXPECT_EQ(IntraOpThreadLimit(*intra), 1);
}

TEST(ServerFlagsTest, UsageListsBothGroups) {
  const std::string usage = ServerFlagsUsage();
  EXPECT_NE(usage.find("TensorFlow Serving's flags (all 48 are accepted)"), std::string::npos);
  EXPECT_NE(usage.find("--enable_serialization_as_tensor_content"), std::string::npos);
  EXPECT_NE(usage.find("Tern's own flags"), std::string::npos);
  EXPECT_NE(usage.find("does not apply"), std::string::npos);
}

TEST(MemoryBudgetFlagsTest, DerivedFromTheMachineUnlessGiven) {
  constexpr int64_t kGiB = int64_t{1} << 30;
  auto defaults = ParseServerFlags({});
  ASSERT_TRUE(defaults.ok());
  MemoryBudgets derived = MemoryBudgetsFromFlags(*defaults, 10 * kGiB);
  EXPECT_EQ(derived.process_bytes, 8 * kGiB);
  EXPECT_EQ(derived.request_bytes, 2 * kGiB);
  EXPECT_EQ(MemoryBudgetsFromFlags(*defaults, 0).process_bytes, 0);  // unknown machine: none
  auto given = ParseServerFlags({"--memory_limit_mb=1024", "--max_request_memory_mb=100"});
  ASSERT_TRUE(given.ok());
  MemoryBudgets set = MemoryBudgetsFromFlags(*given, 10 * kGiB);
  EXPECT_EQ(set.process_bytes, int64_t{1024} << 20);
  EXPECT_EQ(set.request_bytes, int64_t{100} << 20);
  auto none = ParseServerFlags({"--memory_limit_mb=-1", "--max_request_memory_mb=-1"});
  ASSERT_TRUE(none.ok());
  MemoryBudgets off = MemoryBudgetsFromFlags(*none, 10 * kGiB);
  EXPECT_EQ(off.process_bytes, 0);
  EXPECT_EQ(off.request_bytes, 0);
}

TEST(AdmissionFlagsTest, InFlightLimitFromTheComputeThreadsUnlessGivenOrBatching) {
  auto two = ComputePool::Create({.num_threads = 2});
  auto four = ComputePool::Create({.num_threads = 4});
  auto defaults = ParseServerFlags({});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(AdmissionOptionsFromFlags(*defaults, two.get(), nullptr).max_in_flight, 256);
  EXPECT_EQ(AdmissionOptionsFromFlags(*defaults, four.get(), nullptr).max_in_flight, 512);
  EXPECT_EQ(AdmissionOptionsFromFlags(*defaults, two.get(), nullptr).max_queue_wait.count(), 500);
  // Batching bounds its own queues.
  auto batching = ParseServerFlags({"--enable_batching"});
  ASSERT_TRUE(batching.ok());
  EXPECT_EQ(AdmissionOptionsFromFlags(*batching, two.get(), nullptr).max_in_flight, 0);
  auto given = ParseServerFlags({"--max_inflight_requests=10", "--max_queue_wait_ms=0"});
  ASSERT_TRUE(given.ok());
  const auto set = AdmissionOptionsFromFlags(*given, two.get(), nullptr);
  EXPECT_EQ(set.max_in_flight, 10);
  EXPECT_EQ(set.max_queue_wait.count(), 0);
  EXPECT_EQ(set.pool, two.get());
  auto none = ParseServerFlags({"--max_inflight_requests=-1"});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(AdmissionOptionsFromFlags(*none, two.get(), nullptr).max_in_flight, 0);
}

}  // namespace
}  // namespace tern
