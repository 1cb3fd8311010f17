CREATE TABLE "tenant_secrets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"name" text NOT NULL,
	"value_ciphertext" text NOT NULL,
	"allowed_hosts" text[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_secrets_name_ck" CHECK ("tenant_secrets"."name" ~ '^[A-Z][A-Z0-9_]{0,63}$')
);
--> statement-breakpoint
CREATE TABLE "tenant_signing_secrets" (
	"tenant" text PRIMARY KEY NOT NULL,
	"secret_ciphertext" text NOT NULL,
	"previous_secret_ciphertext" text,
	"previous_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workflow_secret_refs" (
	"tenant" text NOT NULL,
	"workflow_id" uuid NOT NULL,
	"secret_name" text NOT NULL,
	CONSTRAINT "workflow_secret_refs_workflow_id_secret_name_pk" PRIMARY KEY("workflow_id","secret_name")
);
--> statement-breakpoint
ALTER TABLE "workflow_secret_refs" ADD CONSTRAINT "workflow_secret_refs_workflow_fk" FOREIGN KEY ("tenant","workflow_id") REFERENCES "workflows"("tenant","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "tenant_secrets_tenant_name_uq" ON "tenant_secrets" USING btree ("tenant","name");--> statement-breakpoint
CREATE INDEX "tenant_secrets_tenant_id_idx" ON "tenant_secrets" USING btree ("tenant","id");--> statement-breakpoint
CREATE INDEX "workflow_secret_refs_tenant_name_idx" ON "workflow_secret_refs" USING btree ("tenant","secret_name");--> statement-breakpoint
-- Workflows written before secrets existed may already hold `{{secrets.NAME}}` text: record their references,
-- so that deleting such a secret is refused as for a workflow written now.
INSERT INTO "workflow_secret_refs" ("tenant", "workflow_id", "secret_name")
SELECT DISTINCT w."tenant", w."id", m[1]
  FROM "workflows" w,
       regexp_matches(w."steps"::text, '\{\{\s*secrets\.([A-Z][A-Z0-9_]{0,63})\s*\}\}', 'g') AS m
ON CONFLICT DO NOTHING;
