/* Agent jobs: spawn_agents_on_csv turns each row of a CSV into a worker
 * subagent (one prompt built from the instruction template and the row),
 * runs at most max_concurrency of them at a time within agents.max_threads,
 * collects what each reports through report_agent_job_result, writes every
 * row with its status and result to an output CSV, and answers the model
 * with a summary once every row has finished.  A row that cannot run (a
 * field count that differs from the header's), a worker that ends without
 * reporting, and one that outlives the runtime limit
 * (max_runtime_seconds, agents.job_max_runtime_seconds, else 30 minutes)
 * are failed rows: they are named in the summary and the job goes on. */
#ifndef CODEX_CORE_AGENT_JOBS_H
#define CODEX_CORE_AGENT_JOBS_H

#include "core/subagents.h"

/* Offer spawn_agents_on_csv (features.enable_fanout) to the agent. */
void agent_jobs_register_tool(struct subagents *s);
/* Offer report_agent_job_result to a worker of job. */
void agent_jobs_register_worker_tool(struct subagents *s, struct agent_job *job);
/* Stop every job of the agent (it is going away): workers closed, calls
 * left to the core to drop. */
void agent_jobs_cancel_all(struct subagents *s);

#endif
