package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"hawker/users"
)

func runUser(ctx context.Context, e *env, args []string) error {
	args, err := e.subcommand(args, "user add --login L --role R", "Usage: hawker user add --login L --role R [--name N] [--participant CODE] [--donor ID]")
	if err != nil {
		return err
	}
	fs := newFlags(e, "user add", "user add --login L --role R [--name N] [--participant CODE] [--donor ID]\n\nCreates a user. The password is read from standard input (one line).\nRoles: admin officer manager donor vendor.")
	login := fs.String("login", "", "sign-in name (lower-case letters, digits, . _ -)")
	role := fs.String("role", "", "admin, officer, manager, donor or vendor")
	name := fs.String("name", "", "display name")
	participant := fs.String("participant", "", "participant code, for a vendor")
	donor := fs.Int64("donor", 0, "donor id, for a donor")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *login == "" || *role == "" {
		return usageErr("user add: --login and --role are required")
	}
	if !users.Role(*role).Valid() {
		return usageErr("user add: --role must be one of admin, officer, manager, donor, vendor")
	}
	password, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && password == "" {
		return fmt.Errorf("user add: read password from standard input: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	return e.withDB(ctx, func(db *sqlx.DB) error {
		n := users.New{Login: *login, Name: *name, Role: users.Role(*role), Password: password}
		if *participant != "" {
			id, err := participantID(ctx, db, *participant)
			if err != nil {
				return err
			}
			n.ParticipantID = &id
		}
		if *donor != 0 {
			n.DonorID = donor
		}
		u, err := users.NewStore(db).Add(ctx, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "user %s (%s) created with id %d\n", u.Login, u.Role, u.ID)
		return nil
	})
}
