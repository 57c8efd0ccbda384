package domain

import (
	"github.com/parley-chat/parley/pkg/apperr"
	"github.com/parley-chat/parley/pkg/contracts"
)

// CanAdminister checks that actor may manage the team at all.
func CanAdminister(actor contracts.Role) error {
	if !actor.CanAdminister() {
		return apperr.New(apperr.Forbidden, "only owners and admins can manage the team")
	}
	return nil
}

// CanChangeRole checks that actor may move a member from role from to role to.
// owners is how many owners the tenant has now.
func CanChangeRole(actor, from, to contracts.Role, owners int) error {
	if err := CanAdminister(actor); err != nil {
		return err
	}
	if !to.Valid() {
		return apperr.InvalidField("role", `role must be "owner", "admin" or "agent"`)
	}
	if (from == contracts.RoleOwner || to == contracts.RoleOwner) && actor != contracts.RoleOwner {
		return apperr.New(apperr.Forbidden, "only an owner can grant or take away the owner role")
	}
	if from == contracts.RoleOwner && to != contracts.RoleOwner && owners <= 1 {
		return apperr.New(apperr.Conflict, "the last owner cannot be demoted; make someone else owner first")
	}
	return nil
}

// CanRemove checks that actor may remove a member with role target.
func CanRemove(actor, target contracts.Role, owners int) error {
	if err := CanAdminister(actor); err != nil {
		return err
	}
	if target == contracts.RoleOwner && actor != contracts.RoleOwner {
		return apperr.New(apperr.Forbidden, "only an owner can remove an owner")
	}
	if target == contracts.RoleOwner && owners <= 1 {
		return apperr.New(apperr.Conflict, "the last owner cannot be removed; make someone else owner first")
	}
	return nil
}
