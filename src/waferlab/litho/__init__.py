"""litho"""
