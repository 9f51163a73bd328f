package main

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"hawker/migrations"
	"hawker/pg"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "migrate\n\nApplies pending migrations and exits. Safe to run from several processes at once.")
	if err := parse(fs, args); err != nil {
		return err
	}
	return e.withDB(ctx, func(db *sqlx.DB) error {
		n, err := e.migrate(ctx, db)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "migrations: %d applied, schema at version %d\n", n, migrations.Latest())
		return nil
	})
}

func runDB(ctx context.Context, e *env, args []string) error {
	const help = "db create\n\nCreates the database named in DATABASE_URL when it does not exist."
	args, err := e.subcommand(args, "db create", "Usage: hawker "+help)
	if err != nil {
		return err
	}
	fs := newFlags(e, "db create", help)
	if err := parse(fs, args); err != nil {
		return err
	}
	created, err := pg.CreateDatabase(ctx, e.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	name := pg.DatabaseName(e.cfg.DatabaseURL)
	if created {
		fmt.Fprintf(e.stdout, "database %s created\n", name)
	} else {
		fmt.Fprintf(e.stdout, "database %s exists\n", name)
	}
	return nil
}
