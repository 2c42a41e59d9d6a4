// Generated from GET /docs/json by openapi-typescript; do not edit.
// Regenerate: npx tap -S --disable-coverage test/api/openapi.test.ts

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description Always 200 while the process serves HTTP.
         */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description 200 when the database is reachable and a manifest is loaded, else 503.
         */
        get: operations["ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics
         * @description What the engine records (runs by task and status, run durations, queue depths, sweep lag), in the Prometheus text format.
         */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/statuses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the statuses
         * @description Every status a task register can hold: the built-in ones and those the manifest declares.
         */
        get: operations["listStatuses"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the tasks
         * @description Every task with its definition, schedule, enablement, last and next sweep, and transients per status.
         */
        get: operations["listTasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tasks/{task}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a task */
        get: operations["getTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Enable or disable a task
         * @description Persists an override of the manifest's `enabled` (kept across restarts and manifest reloads); `null` clears it.
         */
        patch: operations["updateTask"];
        trace?: never;
    };
    "/api/v1/tasks/{task}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a task now
         * @description Sweeps now: runs the task on every eligible transient (a system task runs once); `queued` is how many registers it will run, 0 when nothing is eligible. A disabled task runs too, once, and stays disabled (runs recorded with cause `api`). With `transient`, queues it for that one transient only. The body is optional.
         */
        post: operations["runTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/transients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List transients
         * @description Oldest `public_timestamp` first (name on ties, transients without one last), paginated with `cursor`. Filter by the status of a task (`task`, `status`, `status_type`: a transient qualifies when one of its registers matches all that are given), and by `processing_status`.
         */
        get: operations["listTransients"];
        put?: never;
        /**
         * Create transients
         * @description One transient or an array of up to 1000. The new transients are queued at once. If any already exists, nothing is created and the 409 names every existing one.
         */
        post: operations["createTransients"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/transients/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a transient
         * @description Its fields, progress and processing status, and for every task its status, type, time, duration, attempts, output and last error.
         */
        get: operations["getTransient"];
        /**
         * Create or update a transient
         * @description Creates the transient (201, queued at once) or replaces its fields (200). Task statuses are kept; use retrigger, reprocess or reset to run tasks again.
         */
        put: operations["putTransient"];
        post?: never;
        /**
         * Delete a transient
         * @description Deletes the transient and its task registers. Its run history is kept.
         */
        delete: operations["deleteTransient"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/transients/{name}/retrigger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retrigger a transient
         * @description Sets every error-type register, and every `processing` register that no live worker owns (a crashed run), back to `not processed` and runs them again (Blast's retrigger). A run a live worker is running is left to finish.
         */
        post: operations["retriggerTransient"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/transients/{name}/reprocess": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reprocess a transient
         * @description Sets every register back to `not processed` and runs the whole pipeline again (Blast's reprocess).
         */
        post: operations["reprocessTransient"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/transients/{name}/tasks/{task}/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reset one task of a transient
         * @description Sets the task back to `not processed` and, with `cascade` (the default), every task downstream of it: Blast's partial update. The body is optional.
         */
        post: operations["resetTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/transients/{name}/tasks/{task}/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Explain why a task is or is not running for a transient
         * @description Each prerequisite and whether it holds, enablement, in-flight jobs, attempts and the next sweep, with a one-sentence summary.
         */
        get: operations["explainTask"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List runs
         * @description Newest first, paginated with `cursor`; filter by task, transient, resulting status and start time.
         */
        get: operations["listRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a run */
        get: operations["getRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/manifest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the effective manifest
         * @description The manifest the runtime runs, its file, when it was loaded, and the diagnostics of the last load attempt (an edit with errors leaves the last good manifest running).
         */
        get: operations["getManifest"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/manifest/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Validate a manifest text
         * @description Checks a blast.tasks.yaml sent as the body (`Content-Type: application/yaml`, `text/yaml` or `text/plain`) and returns every diagnostic. Nothing is applied. Plugins are loaded to check them in a throwaway worker thread with a 10 s limit, never in the runtime's own thread; a plugin path outside the manifest's folder is refused unloaded (`BLAST_PLUGIN_OUTSIDE`).
         */
        post: operations["validateManifest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/manifest/plan": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Plan a manifest text
         * @description What applying a blast.tasks.yaml sent as the body would change against the database: tasks added (and the transients each backfills), removed, rewired, re-timed, enabled or disabled, other changed fields, statuses, and the transients that would become eligible. The same answer as `blast-tasks plan --json`. Nothing is applied; plugins are checked as by validate, in a throwaway worker thread.
         */
        post: operations["planManifest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Every error the API answers has this one shape. */
        Error: {
            /** @description The HTTP status code. */
            statusCode: number;
            /** @description A BLAST_* code (docs/errors.md). */
            code: string;
            /** @description The HTTP reason phrase. */
            error: string;
            /** @description What went wrong, and what is allowed. */
            message: string;
        };
        /** @description A status a task register can hold. */
        Status: {
            /** @description The status message; prerequisites compare it exactly. */
            message: string;
            /**
             * @description blank, success, warning or error.
             * @enum {string}
             */
            type: "blank" | "success" | "warning" | "error";
            /** @description What the status means. */
            description: string;
            /** @description True for the statuses every manifest has. */
            builtin: boolean;
        };
        /** @description A task as the manifest declares it. */
        TaskDefinition: {
            /** @description Task name. */
            name: string;
            /** @description Kebab-case of the name: the default plugin file name and the queue suffix. */
            slug: string;
            /**
             * @description `transient` runs per transient; `system` runs on its schedule only.
             * @enum {string}
             */
            kind: "transient" | "system";
            /** @description What the task does. */
            description: string;
            /** @description The plugin module as written in the manifest, relative to it. */
            plugin: string;
            /** @description {task: status} that must all hold for a transient to be eligible (the task's own `not processed` guard is implied). */
            prerequisites: {
                [key: string]: string;
            };
            /** @description The status written when the plugin throws. */
            failed_status: string;
            /** @description How often the task sweeps for eligible transients (or runs, for a system task). */
            frequency_seconds: number;
            /** @description A run is aborted and marked `time limit exceeded` after this long. */
            timeout_seconds: number;
            /** @description How many times a run that throws is retried before the failed status is written. */
            retries: number;
            /** @description Heap limit (MiB) of the worker a run executes in; past it the run ends in the failed status. */
            memory_mb: number;
            /** @description Largest JSON output a run may return; a larger one ends in the failed status. */
            max_output_bytes: number;
            /** @description How many runs of the task one process runs at once. */
            concurrency: number;
            /** @description Whether the manifest enables the task. */
            enabled: boolean;
        };
        /** @description How the task is swept. */
        TaskSchedule: {
            /**
             * @description `cron`: a pg-boss schedule; `interval`: the runtime ticker (cadences cron cannot express).
             * @enum {string}
             */
            kind: "cron" | "interval";
            /** @description The cron expression, for `cron`. */
            cron: string | null;
            /** @description The cadence in seconds. */
            every_seconds: number;
        };
        /** @description Whether the task runs: as declared, as overridden by an operator, and the outcome. */
        TaskEnabled: {
            /** @description The manifest value. */
            declared: boolean;
            /** @description The persisted operator override, or null for none. */
            override: boolean | null;
            /** @description The override when set, else the declared value. */
            effective: boolean;
        };
        /** @description A task: its definition, how it is scheduled, whether it is enabled, and transients per status. */
        Task: {
            /** @description Task name. */
            name: string;
            /** @description Kebab-case of the name: the default plugin file name and the queue suffix. */
            slug: string;
            /**
             * @description `transient` runs per transient; `system` runs on its schedule only.
             * @enum {string}
             */
            kind: "transient" | "system";
            /** @description What the task does. */
            description: string;
            /** @description The plugin module as written in the manifest, relative to it. */
            plugin: string;
            /** @description {task: status} that must all hold for a transient to be eligible (the task's own `not processed` guard is implied). */
            prerequisites: {
                [key: string]: string;
            };
            /** @description The status written when the plugin throws. */
            failed_status: string;
            /** @description How often the task sweeps for eligible transients (or runs, for a system task). */
            frequency_seconds: number;
            /** @description A run is aborted and marked `time limit exceeded` after this long. */
            timeout_seconds: number;
            /** @description How many times a run that throws is retried before the failed status is written. */
            retries: number;
            /** @description Heap limit (MiB) of the worker a run executes in; past it the run ends in the failed status. */
            memory_mb: number;
            /** @description Largest JSON output a run may return; a larger one ends in the failed status. */
            max_output_bytes: number;
            /** @description How many runs of the task one process runs at once. */
            concurrency: number;
            /** @description The pg-boss queue the task runs from. */
            queue: string;
            schedule: components["schemas"]["TaskSchedule"];
            enabled: components["schemas"]["TaskEnabled"];
            /**
             * Format: date-time
             * @description When the task last swept (null: never).
             */
            last_sweep_at: string | null;
            /**
             * Format: date-time
             * @description When the task sweeps next (null: disabled or not scheduled).
             */
            next_sweep_at: string | null;
            /** @description Transients per status message (empty for system tasks). */
            counts: {
                [key: string]: number;
            };
        };
        /** @description A transient to create. */
        TransientInput: {
            /**
             * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
             * @example 2024abc
             */
            name: string;
            /** @description Right ascension in degrees, [0, 360). */
            ra_deg: number;
            /** @description Declination in degrees, [-90, 90]. */
            dec_deg: number;
            /**
             * Format: date-time
             * @description Discovery time (ISO 8601); oldest first is the processing order. Null when unknown.
             */
            public_timestamp?: string | null;
            /** @description Redshift (>= 0), or null when unknown. */
            redshift?: number | null;
            /** @description Free-form fields kept with the transient and passed to plugins. */
            data?: {
                [key: string]: unknown;
            };
        };
        /** @description The fields of a transient to create or replace at a name (the name comes from the path). */
        TransientUpdate: {
            /**
             * @description Optional; must equal the name in the path.
             * @example 2024abc
             */
            name?: string;
            /** @description Right ascension in degrees, [0, 360). */
            ra_deg: number;
            /** @description Declination in degrees, [-90, 90]. */
            dec_deg: number;
            /**
             * Format: date-time
             * @description Discovery time (ISO 8601); oldest first is the processing order. Null when unknown.
             */
            public_timestamp?: string | null;
            /** @description Redshift (>= 0), or null when unknown. */
            redshift?: number | null;
            /** @description Free-form fields kept with the transient and passed to plugins. */
            data?: {
                [key: string]: unknown;
            };
        };
        /** @description A transient with its progress. */
        Transient: {
            /**
             * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
             * @example 2024abc
             */
            name: string;
            /** @description Right ascension in degrees, [0, 360). */
            ra_deg: number;
            /** @description Declination in degrees, [-90, 90]. */
            dec_deg: number;
            /**
             * Format: date-time
             * @description Discovery time (ISO 8601); oldest first is the processing order. Null when unknown.
             */
            public_timestamp: string | null;
            /** @description Redshift (>= 0), or null when unknown. */
            redshift: number | null;
            /** @description Free-form fields kept with the transient and passed to plugins. */
            data: {
                [key: string]: unknown;
            };
            /** @description Percentage of its tasks done (Blast progress rule). */
            progress: number;
            /**
             * @description `processing` below 100%, else `blocked` when a task ended in an error status, else `completed`.
             * @enum {string}
             */
            processing_status: "processing" | "blocked" | "completed";
            /**
             * Format: date-time
             * @description When the transient was created.
             */
            created_at: string;
            /**
             * Format: date-time
             * @description When the transient last changed.
             */
            updated_at: string;
        };
        /** @description The state of one task for one transient. */
        TaskRegister: {
            /** @description Task name. */
            task: string;
            /** @description The status message. */
            status: string;
            /**
             * @description The type of the status.
             * @enum {string}
             */
            type: "blank" | "success" | "warning" | "error";
            /**
             * Format: date-time
             * @description When the status was written.
             */
            updated_at: string;
            /** @description Wall time of the last run, in milliseconds. */
            duration_ms: number | null;
            /** @description Runs attempted since the last reset. */
            attempts: number;
            /** @description The last run's output (any JSON), or null. */
            output: unknown;
            /** @description The error message of the last failed attempt. */
            last_error: string | null;
            /** @description False for tasks no longer in the manifest (their rows are kept). */
            in_manifest: boolean;
        };
        /** @description A transient with the state of each of its tasks. */
        TransientDetail: {
            /**
             * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
             * @example 2024abc
             */
            name: string;
            /** @description Right ascension in degrees, [0, 360). */
            ra_deg: number;
            /** @description Declination in degrees, [-90, 90]. */
            dec_deg: number;
            /**
             * Format: date-time
             * @description Discovery time (ISO 8601); oldest first is the processing order. Null when unknown.
             */
            public_timestamp: string | null;
            /** @description Redshift (>= 0), or null when unknown. */
            redshift: number | null;
            /** @description Free-form fields kept with the transient and passed to plugins. */
            data: {
                [key: string]: unknown;
            };
            /** @description Percentage of its tasks done (Blast progress rule). */
            progress: number;
            /**
             * @description `processing` below 100%, else `blocked` when a task ended in an error status, else `completed`.
             * @enum {string}
             */
            processing_status: "processing" | "blocked" | "completed";
            /**
             * Format: date-time
             * @description When the transient was created.
             */
            created_at: string;
            /**
             * Format: date-time
             * @description When the transient last changed.
             */
            updated_at: string;
            /** @description One register per task. */
            tasks: components["schemas"]["TaskRegister"][];
        };
        /** @description A page of transients. */
        TransientPage: {
            /** @description The transients of this page. */
            items: components["schemas"]["Transient"][];
            /** @description Pass as `cursor` for the next page; null on the last page. */
            next_cursor: string | null;
        };
        /** @description The outcome of a retrigger, reprocess or reset. */
        ResetResult: {
            /**
             * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
             * @example 2024abc
             */
            transient: string;
            /** @description The tasks set back to `not processed` (and queued). */
            reset: string[];
        };
        /** @description One prerequisite of a task, checked against a transient. */
        PrerequisiteCheck: {
            /** @description The task the prerequisite names. */
            task: string;
            /** @description The status it requires. */
            required: string;
            /** @description That task's current status (null: no register). */
            current: string | null;
            /** @description current equals required. */
            holds: boolean;
        };
        /** @description Why a task is or is not running for a transient. */
        Explanation: {
            /**
             * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
             * @example 2024abc
             */
            transient: string;
            /** @description Task name. */
            task: string;
            /** @description The task's current status for the transient. */
            status: string;
            /** @description True when every prerequisite holds and the status is `not processed`. */
            eligible: boolean;
            /** @description Whether the task is enabled (effective). */
            enabled: boolean;
            /** @description A job for it is queued or running. */
            in_flight: boolean;
            /** @description Runs attempted since the last reset. */
            attempts: number;
            /** @description Each prerequisite and whether it holds. */
            prerequisites: components["schemas"]["PrerequisiteCheck"][];
            /**
             * Format: date-time
             * @description When the task sweeps next.
             */
            next_sweep_at: string | null;
            /** @description One sentence: why it is or is not running. */
            summary: string;
        };
        /** @description One run of a task (or one operator action) in the history. */
        Run: {
            /** @description Run id. */
            id: string;
            /** @description The transient (null for system tasks). */
            transient: string | null;
            /** @description Task name. */
            task: string;
            /**
             * Format: date-time
             * @description When the run started.
             */
            started_at: string;
            /**
             * Format: date-time
             * @description When it finished (null: still running).
             */
            finished_at: string | null;
            /** @description Wall time in milliseconds. */
            duration_ms: number | null;
            /** @description The resulting status (for operator actions: the status written). */
            status: string;
            /** @description The error message when the plugin threw. */
            error: string | null;
            /** @description The stack trace when the plugin threw. */
            stack: string | null;
            /** @description 1 for the first attempt, counting up with retries. */
            attempt: number;
            /** @description The worker that ran it. */
            worker: string | null;
            /**
             * @description What started the run.
             * @enum {string}
             */
            cause: "sweep" | "push" | "api" | "retry" | "recovery" | "cli";
            /** @description For operator actions: who and what (e.g. `api retrigger`). */
            action: string | null;
            /** @description What the plugin returned as output (any JSON), or null. */
            output: unknown;
        };
        /** @description A page of runs, newest first. */
        RunPage: {
            /** @description The runs of this page. */
            items: components["schemas"]["Run"][];
            /** @description Pass as `cursor` for the next page; null on the last page. */
            next_cursor: string | null;
        };
        /** @description A problem found in a manifest or plugin. */
        Diagnostic: {
            /** @description The file the problem is in. */
            file: string;
            /** @description 1-based line. */
            line: number;
            /** @description 1-based column. */
            column: number;
            /**
             * @description An error stops the manifest from loading; a warning does not.
             * @enum {string}
             */
            severity: "error" | "warning";
            /** @description A BLAST_* diagnostic code (docs/errors.md). */
            code: string;
            /** @description What is wrong and what is allowed. */
            message: string;
            /** @description The whole diagnostic as one line: `file:line:col severity CODE message`. */
            text: string;
        };
        /** @description The effective manifest. */
        Manifest: {
            /**
             * @description Manifest format version.
             * @enum {integer}
             */
            version: 1;
            /** @description Every status, built-in ones included. */
            statuses: components["schemas"]["Status"][];
            /** @description Every task. */
            tasks: components["schemas"]["TaskDefinition"][];
        };
        /** @description The manifest the runtime runs, and the outcome of the last attempt to load it. */
        ManifestInfo: {
            /** @description The manifest's file name (`blast.tasks.yaml`), never its path on the server. */
            file: string;
            /**
             * Format: date-time
             * @description When the running manifest was loaded.
             */
            loaded_at: string;
            /**
             * Format: date-time
             * @description When a load was last attempted (an edit is reloaded).
             */
            last_attempt_at: string;
            /** @description False when the last edit had errors; the last good manifest keeps running. */
            last_attempt_ok: boolean;
            /** @description Diagnostics of the last load attempt. */
            diagnostics: components["schemas"]["Diagnostic"][];
            manifest: components["schemas"]["Manifest"];
        };
        /** @description The diagnostics of a manifest text; nothing is applied. */
        ValidationResult: {
            /** @description True when no diagnostic is an error. */
            ok: boolean;
            /** @description Every problem found, errors and warnings. */
            diagnostics: components["schemas"]["Diagnostic"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok";
                    };
                };
            };
            /** @description The URL does not decode (BLAST_BAD_URL). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ready";
                    };
                };
            };
            /** @description The URL does not decode (BLAST_BAD_URL). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Starting, stopping, or the database is unreachable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "not ready";
                    };
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Metrics in the Prometheus text exposition format. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listStatuses: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The statuses. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Status"][];
                    };
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTasks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tasks, in manifest order. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Task"][];
                    };
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A task name as declared in the manifest (URL-encode spaces: `Host%20match`).
                 * @example Host match
                 */
                task: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A task name as declared in the manifest (URL-encode spaces: `Host%20match`).
                 * @example Host match
                 */
                task: string;
            };
            cookie?: never;
        };
        /** @description The override. */
        requestBody: {
            content: {
                "application/json": {
                    /** @description true or false to override the manifest; null to follow it again. */
                    enabled: boolean | null;
                };
            };
        };
        responses: {
            /** @description The task after the change. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the limit (BLAST_BODY_TOO_LARGE). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The content-type is not accepted (BLAST_UNSUPPORTED_MEDIA_TYPE). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    runTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A task name as declared in the manifest (URL-encode spaces: `Host%20match`).
                 * @example Host match
                 */
                task: string;
            };
            cookie?: never;
        };
        /** @description What to run; an empty object (or no body) sweeps. */
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Queue the task for this transient only.
                     * @example 2024abc
                     */
                    transient?: string;
                };
            };
        };
        responses: {
            /** @description Queued. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description How many registers it will run (a system task: 1). */
                        queued: number;
                    };
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the limit (BLAST_BODY_TOO_LARGE). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The content-type is not accepted (BLAST_UNSUPPORTED_MEDIA_TYPE). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTransients: {
        parameters: {
            query?: {
                /**
                 * @description Transients whose register for this task matches `status` and `status_type`; alone: transients that have this task.
                 * @example Host match
                 */
                task?: string;
                /** @description A status message, e.g. `processed`. Without `task`: transients with any task in that status. */
                status?: string;
                /** @description A status type (blank, success, warning, error): transients with a task (or `task`) in a status of that type, e.g. `error` for every transient with a failed task. */
                status_type?: "blank" | "success" | "warning" | "error";
                /** @description processing, blocked or completed. */
                processing_status?: "processing" | "blocked" | "completed";
                /** @description Page size, 1..1000. */
                limit?: number;
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of transients. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransientPage"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createTransients: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description A transient, or an array of transients. */
        requestBody: {
            content: {
                "application/json": components["schemas"]["TransientInput"] | components["schemas"]["TransientInput"][];
            };
        };
        responses: {
            /** @description Created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The transients created, in the order given. */
                        created: components["schemas"]["Transient"][];
                    };
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflict: the transient already exists (BLAST_TRANSIENT_EXISTS). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the limit (BLAST_BODY_TOO_LARGE). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The content-type is not accepted (BLAST_UNSUPPORTED_MEDIA_TYPE). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTransient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
                 * @example 2024abc
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The transient. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransientDetail"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putTransient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
                 * @example 2024abc
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TransientUpdate"];
            };
        };
        responses: {
            /** @description Updated. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Transient"];
                };
            };
            /** @description Created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Transient"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the limit (BLAST_BODY_TOO_LARGE). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The content-type is not accepted (BLAST_UNSUPPORTED_MEDIA_TYPE). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteTransient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
                 * @example 2024abc
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retriggerTransient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
                 * @example 2024abc
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tasks that were reset and queued. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResetResult"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    reprocessTransient: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
                 * @example 2024abc
                 */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tasks that were reset and queued. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResetResult"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    resetTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
                 * @example 2024abc
                 */
                name: string;
                /**
                 * @description A task name as declared in the manifest (URL-encode spaces: `Host%20match`).
                 * @example Host match
                 */
                task: string;
            };
            cookie?: never;
        };
        /** @description How far to reset. */
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Also reset every task that depends on this one, directly or not.
                     * @default true
                     */
                    cascade?: boolean;
                };
            };
        };
        responses: {
            /** @description The tasks that were reset and queued. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResetResult"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the limit (BLAST_BODY_TOO_LARGE). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The content-type is not accepted (BLAST_UNSUPPORTED_MEDIA_TYPE). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    explainTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).
                 * @example 2024abc
                 */
                name: string;
                /**
                 * @description A task name as declared in the manifest (URL-encode spaces: `Host%20match`).
                 * @example Host match
                 */
                task: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The explanation. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Explanation"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listRuns: {
        parameters: {
            query?: {
                /**
                 * @description Only runs of this task.
                 * @example Host match
                 */
                task?: string;
                /**
                 * @description Only runs for this transient.
                 * @example 2024abc
                 */
                transient?: string;
                /** @description Only runs that ended with this status message. */
                status?: string;
                /** @description Only runs started at or after this time (ISO 8601 with a zone). */
                since?: string;
                /** @description Page size, 1..1000. */
                limit?: number;
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of runs. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunPage"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Run id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Run"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such task, transient or run. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getManifest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The manifest. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ManifestInfo"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    validateManifest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/yaml": string;
                "text/yaml": string;
                "text/plain": string;
            };
        };
        responses: {
            /** @description The diagnostics; `ok` is false when any is an error. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ValidationResult"];
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the limit (BLAST_BODY_TOO_LARGE). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The content-type is not accepted (BLAST_UNSUPPORTED_MEDIA_TYPE). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    planManifest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/yaml": string;
                "text/yaml": string;
                "text/plain": string;
            };
        };
        responses: {
            /** @description The diagnostics, and the changes when the text has no error. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description False when a diagnostic is an error; nothing is compared then. */
                        ok: boolean;
                        /** @description Every problem of the text. */
                        diagnostics: components["schemas"]["Diagnostic"][];
                        /** @description The changes, or null when the text has errors. */
                        changes: null | {
                            /** @description True when nothing would change. */
                            unchanged: boolean;
                            /** @description False when the database has no manifest applied yet. */
                            applied_before: boolean;
                            /** @description Transients in the database. */
                            transients: number;
                            /** @description Readiness and progress of every transient are re-evaluated on apply. */
                            graph_changed: boolean;
                            /** @description Tasks the database does not run yet. */
                            added: {
                                /** @description Task name. */
                                task: string;
                                /**
                                 * @description Task kind.
                                 * @enum {string}
                                 */
                                kind: "transient" | "system";
                                /** @description Transients that get a `not processed` register for it (0 for system tasks). */
                                backfill: number;
                                /** @description Whether it runs once applied. */
                                enabled: boolean;
                            }[];
                            /** @description Tasks that stop running; their registers are kept. */
                            removed: {
                                /** @description Task name. */
                                task: string;
                                /**
                                 * @description Task kind.
                                 * @enum {string}
                                 */
                                kind: "transient" | "system";
                                /** @description Registers kept for it. */
                                registers: number;
                            }[];
                            /** @description Tasks whose prerequisites change. */
                            rewired: {
                                /** @description Task name. */
                                task: string;
                                /** @description Prerequisites now. */
                                before: {
                                    [key: string]: string;
                                };
                                /** @description Prerequisites once applied. */
                                after: {
                                    [key: string]: string;
                                };
                            }[];
                            /** @description Tasks whose frequency changes. */
                            retimed: {
                                /** @description Task name. */
                                task: string;
                                /** @description frequency_seconds now. */
                                before: number;
                                /** @description frequency_seconds once applied. */
                                after: number;
                                /** @description The cron expression it will sweep on, or null for the interval ticker. */
                                cron: string | null;
                            }[];
                            /** @description Tasks the candidate declares enabled that the applied manifest declared disabled. */
                            enabled: {
                                /** @description Task name. */
                                task: string;
                                /** @description The applied manifest's `enabled`. */
                                declared_before: boolean;
                                /** @description The candidate's `enabled`. */
                                declared_after: boolean;
                                /** @description The operator override kept in the database (it wins), or null. */
                                override: boolean | null;
                                /** @description Whether the task runs once applied. */
                                effective_after: boolean;
                            }[];
                            /** @description Tasks the candidate declares disabled that the applied manifest declared enabled. */
                            disabled: {
                                /** @description Task name. */
                                task: string;
                                /** @description The applied manifest's `enabled`. */
                                declared_before: boolean;
                                /** @description The candidate's `enabled`. */
                                declared_after: boolean;
                                /** @description The operator override kept in the database (it wins), or null. */
                                override: boolean | null;
                                /** @description Whether the task runs once applied. */
                                effective_after: boolean;
                            }[];
                            /** @description Other fields that change. */
                            changed: {
                                /** @description Task name. */
                                task: string;
                                /**
                                 * @description The manifest field.
                                 * @enum {string}
                                 */
                                field: "kind" | "plugin" | "failed_status" | "timeout_seconds" | "retries" | "memory_mb" | "max_output_bytes" | "concurrency" | "description";
                                /** @description Its value now. */
                                before: string | number;
                                /** @description Its value once applied. */
                                after: string | number;
                            }[];
                            /** @description Declared statuses that change. */
                            statuses: {
                                /** @description New statuses. */
                                added: {
                                    /** @description Status message. */
                                    message: string;
                                    /** @description Status type. */
                                    type: string;
                                }[];
                                /** @description Statuses no longer declared. */
                                removed: string[];
                                /** @description Statuses whose type changes. */
                                retyped: {
                                    /** @description Status message. */
                                    message: string;
                                    /** @description Type now. */
                                    before: string;
                                    /** @description Type once applied. */
                                    after: string;
                                }[];
                            };
                            /** @description Per task, the transients that are not eligible now and would be once applied. */
                            eligible: {
                                /** @description Task name. */
                                task: string;
                                /** @description How many. */
                                count: number;
                                /** @description The first of them, in ingest order. */
                                sample: string[];
                                /** @description False: they wait until the task is enabled. */
                                enabled: boolean;
                            }[];
                        };
                    };
                };
            };
            /** @description Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), a cursor this API did not hand out (BLAST_INVALID_CURSOR). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing or wrong bearer token (BLAST_UNAUTHORIZED). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the limit (BLAST_BODY_TOO_LARGE). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG). */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The content-type is not accepted (BLAST_UNSUPPORTED_MEDIA_TYPE). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Unexpected error (BLAST_INTERNAL); the server log has the details. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
